import { tmpdir } from "node:os";
import { withServiceTx } from "@techscaniq/db";
import {
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { createLocalStorage } from "@techscaniq/db/storage";
import type { Evidence } from "@techscaniq/scanner";
import { loadScannerEnv } from "@techscaniq/scanner/env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PipelineStage, StageInput, StageResult } from "./pipeline";
import {
  upsertEvidence,
  upsertFindings,
  upsertPages,
  type FindingRecord,
  type PageRecord,
  type ScanRow,
} from "./persist";

import { scannerStages } from "./stages";

let database: TestDatabase;
let tenantId: string;
let fixtures: FixtureServer;

beforeAll(async () => {
  database = await createTestDatabase();
  const user = await createTestUser(database.db);
  tenantId = (await createTestTenant(database.db, user.id)).id;
  fixtures = await startFixtureServer({ sites: ["legacy-weak"] });
});

afterAll(async () => {
  await fixtures?.close();
  await database?.drop();
});

async function newScan(targetUrl = "https://example.com/"): Promise<ScanRow> {
  return database.db.kysely
    .insertInto("scans")
    .values({
      tenant_id: tenantId,
      target_url: targetUrl,
      status: "running",
      options: JSON.stringify({ maxPages: 3, renderCount: 0, maxDepth: 1 }),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

const evidence = (id: string, snippet: string): Evidence => ({
  id,
  kind: "script",
  collector: "retire",
  url: "https://example.com/",
  locator: "script[1]",
  snippet,
  contentHash: "a".repeat(64),
  observedAt: new Date().toISOString(),
  confidence: 100,
});

const finding = (
  key: string,
  evidenceIds: string[],
  severity: FindingRecord["severity"] = "medium",
): FindingRecord => ({
  kind: "vulnerability",
  key,
  name: "jquery",
  version: "1.8.3",
  category: "javascript-library",
  confidence: null,
  severity,
  evidenceIds,
  details: { key },
});

const page = (fields: Partial<PageRecord>): PageRecord => ({
  url: "https://example.com/",
  finalUrl: null,
  httpStatus: null,
  bytes: 0,
  durationMs: null,
  rendered: false,
  error: null,
  screenshotPath: null,
  ...fields,
});

describe("trust: vulnerable-libraries stage and duplicated keys in one batch upsert", () => {
  it("evidence: the same evidence id twice in one batch is one row, the later copy kept", async () => {
    const scan = await newScan();
    const ev1 = "ev_000000000000000000000001";
    await withServiceTx(database.db, (tx) =>
      upsertEvidence(tx, scan, [
        evidence(ev1, "first"),
        evidence("ev_000000000000000000000002", "other"),
        evidence(ev1, "second"),
      ]),
    );
    const rows = await database.db.kysely
      .selectFrom("evidence_items")
      .select(["evidence_id", "snippet"])
      .where("scan_id", "=", scan.id)
      .orderBy("evidence_id")
      .execute();
    expect(rows).toEqual([
      { evidence_id: ev1, snippet: "second" },
      { evidence_id: "ev_000000000000000000000002", snippet: "other" },
    ]);
  });

  it("pages: a page reported fetched and failed in one batch is one row combining both", async () => {
    const scan = await newScan();
    await withServiceTx(database.db, (tx) =>
      upsertPages(tx, scan, [
        page({ finalUrl: "https://example.com/", httpStatus: 200, bytes: 900, rendered: true }),
        page({ error: "render timed out", bytes: 0 }),
      ]),
    );
    const rows = await database.db.kysely
      .selectFrom("scan_pages")
      .selectAll()
      .where("scan_id", "=", scan.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      http_status: 200,
      bytes: "900",
      rendered: true,
      error: "render timed out",
    });
  });

  it("findings: the same key twice in one batch is one row citing the evidence of both", async () => {
    const scan = await newScan();
    const ev = ["ev_000000000000000000000001", "ev_000000000000000000000002"];
    await withServiceTx(database.db, (tx) =>
      upsertFindings(tx, scan, [
        finding("jquery@1.8.3", [ev[0]!], "low"),
        finding("jquery@1.8.3", [ev[1]!], "high"),
      ]),
    );
    const rows = await database.db.kysely
      .selectFrom("findings")
      .selectAll()
      .where("scan_id", "=", scan.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ severity: "high", evidence_ids: ev });
  });

  it("a jQuery with many advisories is stored as one finding per advisory, twice without copies", async () => {
    const scan = await newScan(fixtures.url("legacy-weak"));
    // Neither crawl nor vulns writes objects.
    const storage = createLocalStorage(tmpdir());
    const previous: Partial<Record<PipelineStage, unknown>> = {};
    const run = (stage: PipelineStage): Promise<StageResult> => {
      const input: StageInput = {
        scan: {
          id: scan.id,
          tenantId,
          targetUrl: scan.target_url,
          options: { maxPages: 3, renderCount: 0, maxDepth: 1 },
        },
        previous,
        // The vulns test crawls a 127.0.0.1 fixture: the operator's switch.
        scanner: loadScannerEnv({ ...process.env, TECHSCANIQ_ALLOW_PRIVATE: "1" }),
        signal: new AbortController().signal,
        onProgress: () => undefined,
        storage,
      };
      return scannerStages[stage](input);
    };
    previous.crawl = (await run("crawl")).output;
    previous.render = { pages: [], errors: [] };
    const vulns = await run("vulns");
    const advisories = vulns.findings ?? [];
    expect(advisories.filter((item) => item.name === "jquery").length).toBeGreaterThan(3);

    for (let time = 0; time < 2; time += 1) {
      await withServiceTx(database.db, async (tx) => {
        await upsertEvidence(tx, scan, vulns.evidence);
        await upsertFindings(tx, scan, advisories);
      });
    }
    const rows = await database.db.kysely
      .selectFrom("findings")
      .select(["finding_key", "details"])
      .where("scan_id", "=", scan.id)
      .execute();
    expect(rows).toHaveLength(advisories.length);
    expect(new Set(rows.map((row) => row.finding_key)).size).toBe(advisories.length);
    expect(rows.every((row) => row.finding_key.startsWith("jquery@1.8.3#"))).toBe(true);
  });
});
