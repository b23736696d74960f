import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTechScanClient } from "@techscaniq/api/client";
import { startTestApiServer, type TestApiServer } from "@techscaniq/api/testing";
import { createDb, sql, type Db } from "@techscaniq/db";
import { createTestTenant, createTestUser } from "@techscaniq/db/testing";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { startRestartablePostgres, type RestartablePostgres } from "./restart-support";
import { followScan, noJobsLeft, spawnWorker } from "./tasks/scan/test-support";

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
  for (;;) {
    const { rows } = await sql<{ ready: boolean }>`
      select to_regclass('graphile_worker._private_jobs') is not null as ready`.execute(db.kysely);
    if (rows[0]!.ready) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
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

describe("trust: a Postgres restart kills neither web nor worker", () => {
  it("restarting the database during the detect stage: the scan still succeeds over the same progress stream", async () => {
    // What the worker said is the first thing to read when it did not get through.
    onTestFailed(() => console.error(worker.output.slice(-60).join("")));
    const scan = await client.scan.create.mutate({
      url: fixtures.url("wordpress-like"),
      options: { maxPages: 4, renderCount: 0, maxDepth: 2 },
    });
    let restarted: Promise<void> | undefined;
    const events = await followScan(client, scan.id, (event) => {
      if (event.type === "scan.stage_started" && event.stage === "detect") restarted ??= postgres.restart();
    });
    await restarted;

    expect(restarted).toBeDefined();
    expect(events.at(-1)?.type).toBe("scan.completed");
    // The worker survived the restart (it crashed on an unhandled pg "error" event) and finished the scan.
    expect(worker.child.exitCode).toBeNull();
    expect(worker.child.signalCode).toBeNull();
    // The API in this process answers from the restarted database.
    expect(await client.scan.get.query({ scanId: scan.id })).toMatchObject({ status: "succeeded" });
    expect(await noJobsLeft(db, scan.id)).toBe(true);
  }, 300_000);
});
