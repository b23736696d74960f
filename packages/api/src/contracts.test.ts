import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { FINDING_KINDS, FINDING_SEVERITIES } from "@techscaniq/contracts/scan";
import { sql } from "@techscaniq/db";
import { createTestDatabase } from "@techscaniq/db/testing";
import { describe, expect, it } from "vitest";

/** Loads the API (router and client) in a fresh Node process and prints every module URL it resolved. */
const PROBE = `
import { registerHooks } from "node:module";
const loaded = [];
registerHooks({ resolve: (specifier, context, next) => { const result = next(specifier, context); loaded.push(result.url); return result; } });
await import("@techscaniq/api");
await import("@techscaniq/api/client");
process.stdout.write(JSON.stringify(loaded));
`;

const FORBIDDEN = [
  /\/node_modules\/openai\//,
  /\/@anthropic-ai\//,
  /\/@langchain\//,
  /\/playwright-core\//,
  /\/packages\/(ai|scanner)\//,
];

describe("contracts: a leaf contracts package", () => {
  it("the API loads neither the AI package, the scanner nor any model SDK or browser", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", PROBE],
      {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const loaded = JSON.parse(stdout) as string[];
    expect(loaded.some((url) => url.includes("/packages/contracts/"))).toBe(true);
    expect(loaded.filter((url) => FORBIDDEN.some((pattern) => pattern.test(url)))).toEqual([]);
  });
});

describe("shapes: stored-data shapes from contracts", () => {
  it("finding kinds and severities are the database's", async () => {
    const database = await createTestDatabase();
    try {
      const enumValues = async (type: string) =>
        (
          await sql<{
            value: string;
          }>`select unnest(enum_range(null::${sql.raw(type)}))::text as value`.execute(database.db.kysely)
        ).rows.map((r) => r.value);
      expect(await enumValues("public.finding_kind")).toEqual([...FINDING_KINDS]);
      const { rows } = await sql<{ definition: string }>`
        select pg_get_constraintdef(oid) as definition from pg_constraint
        where conrelid = 'public.findings'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%severity%'`.execute(
        database.db.kysely,
      );
      expect(rows).toHaveLength(1);
      expect([...rows[0]!.definition.matchAll(/'(\w+)'/g)].map((m) => m[1])).toEqual([...FINDING_SEVERITIES]);
    } finally {
      await database.drop();
    }
  });
});
