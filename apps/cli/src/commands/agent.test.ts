import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createApiKey } from "@techscaniq/api";
import { createTechScanClient } from "@techscaniq/api/client";
import { startTestApiServer, type TestApiServer } from "@techscaniq/api/testing";
import { agentTemplate, buildAgentPrompt, templateSpec } from "@techscaniq/contracts/agents";
import { sql } from "@techscaniq/db";
import {
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAgentCreate, runAgentPreview, runAgentRun, runAgentTemplates, type AgentIo } from "./agent";

const workerMain = fileURLToPath(new URL("../../../worker/src/main.ts", import.meta.url));

let database: TestDatabase;
let api: TestApiServer;
let fixtures: FixtureServer;
let worker: ChildProcess;
let dataDir: string;
let connection: { url: string; apiKey: string };

function captureIo(): AgentIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (text) => out.push(text), stderr: (text) => err.push(text) };
}

async function counts() {
  const { rows } = await sql<{ agents: number; runs: number }>`
    select (select count(*)::int from public.agents) as agents,
           (select count(*)::int from public.agent_runs) as runs`.execute(database.db.kysely);
  return rows[0]!;
}

async function inputFile(name: string, content: string): Promise<string> {
  const file = path.join(dataDir, name);
  await writeFile(file, content);
  return file;
}

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), "tsiq-cli-agent-"));
  // The real worker, as `techscaniq up` runs it: it runs the agents (offline: no AI key).
  worker = spawn(process.execPath, ["--import", "tsx", workerMain], {
    cwd: path.dirname(path.dirname(workerMain)),
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      WORKER_HEALTH_PORT: "0",
      WORKER_ID: `cli-agent-test-${process.pid}`,
      TECHSCANIQ_ALLOW_PRIVATE: "1",
      TECHSCANIQ_DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
    },
    stdio: "ignore",
  });
  api = await startTestApiServer(database.db);
  fixtures = await startFixtureServer({ sites: ["wordpress-like"] });
  const owner = await createTestUser(database.db);
  const tenant = await createTestTenant(database.db, owner.id);
  const key = await createApiKey(database.db, {
    tenantSlug: tenant.slug,
    name: "cli agent test",
    scopes: ["read", "write"],
  });
  connection = { url: api.url.replace(/\/api\/trpc$/, ""), apiKey: key.secret };
}, 120_000);

afterAll(async () => {
  worker.kill("SIGTERM");
  if (worker.exitCode === null) await new Promise((resolve) => worker.once("exit", resolve));
  await fixtures.close();
  await api.close();
  await database.drop();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

async function createStackWatch(name: string): Promise<string> {
  const io = captureIo();
  expect(await runAgentCreate({ template: "stack-watch", name }, connection, io)).toBe(0);
  return io.out.join("").trim();
}

describe("agents: CLI agent commands", () => {
  it("needs an API key", async () => {
    const io = captureIo();
    expect(await runAgentTemplates({}, { url: connection.url, apiKey: undefined }, io)).toBe(2);
    expect(io.err.join("")).toMatch(/^techscaniq agent templates: set TECHSCANIQ_API_KEY/);
  });

  it("agent templates lists the templates, with --json their specs", async () => {
    const io = captureIo();
    expect(await runAgentTemplates({}, connection, io)).toBe(0);
    const lines = io.out.join("").trim().split("\n");
    expect(lines.map((line) => line.split(" ")[0])).toEqual([
      "stack-watch",
      "security-regression",
      "thesis-check",
      "vendor-security-review",
    ]);
    const json = captureIo();
    expect(await runAgentTemplates({ json: true }, connection, json)).toBe(0);
    const templates = JSON.parse(json.out.join("")) as { id: string; spec: unknown }[];
    expect(templates[0]).toMatchObject({
      id: "stack-watch",
      spec: templateSpec(agentTemplate("stack-watch")!),
    });
  });

  it("agent create prints the new agent's id alone on stdout, published at version 1", async () => {
    const io = captureIo();
    expect(await runAgentCreate({ template: "stack-watch", name: "Portfolio watch" }, connection, io)).toBe(
      0,
    );
    expect(io.out).toHaveLength(1);
    const id = io.out[0]!.trim();
    expect(io.out[0]).toBe(`${id}\n`);
    expect(io.err.join("")).toMatch(/published at version 1/);
    const row = await database.db.kysely
      .selectFrom("agents")
      .select(["status", "current_version", "name"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "published", current_version: 1, name: "Portfolio watch" });
  });

  it("refuses bad input with a clear error on stderr and a non-zero exit, creating nothing", async () => {
    const agentId = await createStackWatch("Bad input watch");
    const before = await counts();
    const io = captureIo();
    const cases: [() => Promise<number>, number, RegExp][] = [
      [
        async () => runAgentRun(agentId, { input: "/nonexistent/input.json" }, connection, io),
        2,
        /^techscaniq agent run: cannot read the input file \/nonexistent\/input.json: ENOENT/,
      ],
      [
        async () => runAgentRun(agentId, { input: await inputFile("bad.json", "{urls: [") }, connection, io),
        2,
        /^techscaniq agent run: the input file .*bad\.json is not valid JSON: /,
      ],
      [
        async () => runAgentRun(agentId, { input: await inputFile("list.json", "[1]") }, connection, io),
        2,
        /^techscaniq agent run: the input file .*list\.json must hold a JSON object/,
      ],
      [
        async () =>
          runAgentRun(agentId, { input: await inputFile("wrong.json", '{"urls": []}') }, connection, io),
        1,
        /^techscaniq agent run: input does not match the input schema of version 1: urls: /,
      ],
      [
        async () => runAgentPreview(agentId, { input: await inputFile("empty.json", "{}") }, connection, io),
        1,
        /^techscaniq agent preview: input does not match the input schema of version 1: urls: /,
      ],
      [
        async () => runAgentRun("not-an-id", {}, connection, io),
        2,
        /^techscaniq agent run: <id> must be an agent id \(uuid\)/,
      ],
      [
        async () => runAgentCreate({ name: "No template" }, connection, io),
        2,
        /^techscaniq agent create: --template <id> is required/,
      ],
      [
        async () => runAgentCreate({ template: "nope", name: "Nope" }, connection, io),
        1,
        /^techscaniq agent create: templateId: there is no template "nope"/,
      ],
    ];
    for (const [call, code, message] of cases) {
      io.err.length = 0;
      expect(await call(), String(message)).toBe(code);
      expect(io.err.join(""), String(message)).toMatch(message);
    }
    expect(io.out).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it("agent preview prints the exact first-call messages and tools as JSON", async () => {
    const agentId = await createStackWatch("Preview watch");
    const input = { urls: ["https://a.example/"] };
    const io = captureIo();
    expect(
      await runAgentPreview(
        agentId,
        { input: await inputFile("in.json", JSON.stringify(input)) },
        connection,
        io,
      ),
    ).toBe(0);
    const expected = buildAgentPrompt(
      { name: "Preview watch", version: 1, spec: templateSpec(agentTemplate("stack-watch")!) },
      input,
    );
    expect(io.out.join("")).toBe(`${JSON.stringify(expected, null, 2)}\n`);
  });

  it("agent run prints the run id; with --wait --json the finished run and its steps", async () => {
    const agentId = await createStackWatch("Run watch");
    const file = await inputFile("urls.json", JSON.stringify({ urls: [fixtures.url("wordpress-like")] }));
    const queued = captureIo();
    expect(await runAgentRun(agentId, { input: file }, connection, queued)).toBe(0);
    expect(queued.out.join("")).toMatch(/^[0-9a-f-]{36}\n$/);
    // Only the next run is followed; this one need not scan too.
    await createTechScanClient({ url: api.url, apiKey: connection.apiKey }).agentRun.cancel.mutate({
      runId: queued.out.join("").trim(),
    });

    const io = captureIo();
    expect(await runAgentRun(agentId, { input: file, wait: true, json: true }, connection, io)).toBe(0);
    const run = JSON.parse(io.out.join("")) as Record<string, unknown> & { steps: { kind: string }[] };
    expect(run).toMatchObject({
      status: "succeeded",
      trigger: "api",
      agentVersion: 1,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      input: { urls: [fixtures.url("wordpress-like")] },
      output: { summary: expect.any(String) as string },
    });
    expect(run.steps.map((step) => step.kind)).toEqual(["tool_call", "tool_call"]);
    expect(io.err.join("")).toMatch(/queued run .* of version 1\n[\s\S]*succeeded\n$/);
  }, 300_000);
});
