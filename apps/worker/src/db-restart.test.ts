import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTechScanClient } from "@techscaniq/api/client";
import { REPORT_GENERATE_TASK } from "@techscaniq/contracts/tasks";
import { startTestApiServer, type TestApiServer } from "@techscaniq/api/testing";
import { createDb, sql, type Db } from "@techscaniq/db";
import { createTestTenant, createTestUser, waitUntil } from "@techscaniq/db/testing";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { startRestartablePostgres, type RestartablePostgres } from "./testing/restart";
import { followScan, noJobsLeft, spawnWorker } from "./testing/scan";

let postgres: RestartablePostgres;
let db: Db;
let api: TestApiServer;
let fixtures: FixtureServer;
let dataDir: string;
let worker: { child: ChildProcess; output: string[] };
let client: ReturnType<typeof createTechScanClient>;

beforeAll(async () => {
  postgres = await startRestartablePostgres();
  db = createDb(postgres.url);
  api = await startTestApiServer(db);
  fixtures = await startFixtureServer({ sites: ["wordpress-like"] });
  dataDir = await mkdtemp(path.join(tmpdir(), "tsiq-restart-worker-"));
  const user = await createTestUser(db);
  const tenant = await createTestTenant(db, user.id);
  const session = await createTechScanClient({ url: api.url }).auth.signIn.mutate({
    email: user.email,
    password: user.password,
  });
  client = createTechScanClient({ url: api.url, accessToken: session.accessToken, tenantId: tenant.id });
  worker = spawnWorker(postgres.url, `restart-test-${process.pid}`, dataDir);
  // graphile-worker installs its schema on start: then the worker takes jobs.
  await waitUntil(
    async () => {
      const { rows } = await sql<{ ready: boolean }>`
        select to_regclass('graphile_worker._private_jobs') is not null as ready`.execute(db.kysely);
      return rows[0]!.ready;
    },
    { what: "graphile-worker's schema", timeoutMs: 150_000 },
  );
}, 180_000);

afterAll(async () => {
  if (worker?.child.exitCode === null && worker.child.signalCode === null) {
    const exited = new Promise((resolve) => worker.child.once("exit", resolve));
    worker.child.kill("SIGTERM");
    await exited;
  }
  await api?.close();
  await db?.close();
  await fixtures?.close();
  await postgres?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}, 180_000);

/** `promise`, or a rejection naming the wait once `ms` have passed (the timer is cleared either way). */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not done within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function scanSite(maxPages: number, renderCount: number) {
  return client.scan.create.mutate({
    url: fixtures.url("wordpress-like"),
    options: { maxPages, renderCount, maxDepth: 2 },
  });
}

describe("trust: a Postgres restart kills neither web nor worker", () => {
  // What the worker said is the first thing to read when it did not get through.
  const showWorkerOutput = () => onTestFailed(() => console.error(worker.output.slice(-60).join("")));

  it("restarting the database during the detect stage: the scan still succeeds over the same progress stream", async () => {
    showWorkerOutput();
    const scan = await scanSite(4, 0);
    let restarted: Promise<void> | undefined;
    const events = await followScan(client, scan.id, (event) => {
      if (event.type === "scan.stage_started" && event.stage === "detect") restarted ??= postgres.restart();
    });
    await restarted;

    expect(restarted).toBeDefined();
    expect(events.at(-1)?.type, worker.output.join("")).toBe("scan.completed");
    expect(worker.child.exitCode, worker.output.join("")).toBeNull();
    // The API in this process answers from the restarted database.
    expect(await client.scan.get.query({ scanId: scan.id })).toMatchObject({ status: "succeeded" });
    expect(await noJobsLeft(db, scan.id)).toBe(true);
  }, 300_000);

  it("a restart once the report checkpointer holds connections: the worker keeps running", async () => {
    showWorkerOutput();
    // The first scan's report writes LangGraph checkpoints: its saver's pool then holds idle clients.
    await waitUntil(
      () =>
        sql<{ n: number }>`select count(*)::int as n from langgraph.checkpoints`.execute(db.kysely).then(
          ({ rows }) => rows[0]!.n > 0,
          () => false, // the saver has not created its tables yet
        ),
      { what: "the first report's LangGraph checkpoints", timeoutMs: 240_000, intervalMs: 250 },
    );
    await postgres.restart();

    const scan = await scanSite(2, 0);
    const events = await followScan(client, scan.id);
    expect(events.at(-1)?.type, worker.output.join("")).toBe("scan.completed");
    expect(worker.child.exitCode, worker.output.join("")).toBeNull();
    expect(worker.child.signalCode).toBeNull();
  }, 300_000);

  it("a restart while a report job runs: the worker still takes and finishes the next scan", async () => {
    showWorkerOutput();
    const first = await scanSite(2, 0);
    await followScan(client, first.id);
    // The scan queues its report; restart while graphile-worker holds that job, so the job's own
    // queries and graphile-worker's completing or failing of it meet the dropped connections.
    await waitUntil(
      () =>
        sql<{ n: number }>`
          select count(*)::int as n from graphile_worker.jobs
           where task_identifier = ${REPORT_GENERATE_TASK} and locked_at is not null`
          .execute(db.kysely)
          .then(({ rows }) => rows[0]!.n > 0),
      { what: "a running report.generate job", timeoutMs: 120_000, intervalMs: 250 },
    );
    await postgres.restart();

    const scan = await scanSite(2, 0);
    // Bounded: a worker that stopped taking jobs would otherwise only show as the test's timeout.
    const events = await within(120_000, followScan(client, scan.id));
    expect(events.at(-1)?.type, worker.output.join("")).toBe("scan.completed");
    expect(worker.child.exitCode, worker.output.join("")).toBeNull();
    expect(worker.child.signalCode).toBeNull();
  }, 300_000);
});
