import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb, listMigrations, withServiceTx } from "@techscaniq/db";
import { createTestDatabase, type TestDatabase } from "@techscaniq/db/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkHealth, checkReadiness } from "./health";

const MAX_AGE = 60;

describe("health checks against a real database", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await withServiceTx(database.db, (trx) => trx.deleteFrom("worker_heartbeats").execute());
  });

  const beat = (workerId: string, secondsAgo: number) =>
    withServiceTx(database.db, (trx) =>
      trx
        .insertInto("worker_heartbeats")
        .values({
          worker_id: workerId,
          hostname: "test",
          pid: 1,
          last_seen_at: new Date(Date.now() - secondsAgo * 1000),
        })
        .execute(),
    );

  it("is healthy with the schema current and a fresh worker heartbeat", async () => {
    await beat("fresh", 2);
    await beat("dead", 3600);
    const report = await checkHealth(database.db, { workerMaxAgeSeconds: MAX_AGE });
    expect(report.status).toBe("ok");
    expect(report.checks.database).toEqual({ ok: true });
    expect(report.checks.migrations).toEqual({ ok: true, pending: [], unknown: [] });
    expect(report.checks.worker).toMatchObject({ ok: true, alive: 1, maxAgeSeconds: MAX_AGE });
    expect(report.checks.worker.ageSeconds).toBeLessThan(MAX_AGE);
  });

  it("is unhealthy without any worker, or with only stale ones, but still ready", async () => {
    expect((await checkHealth(database.db, { workerMaxAgeSeconds: MAX_AGE })).checks.worker).toEqual({
      ok: false,
      alive: 0,
      newestHeartbeatAt: null,
      ageSeconds: null,
      maxAgeSeconds: MAX_AGE,
    });
    await beat("stale", MAX_AGE * 2);
    const report = await checkHealth(database.db, { workerMaxAgeSeconds: MAX_AGE });
    expect(report.status).toBe("unhealthy");
    expect(report.checks.worker).toMatchObject({ ok: false, alive: 0 });
    expect(report.checks.worker.ageSeconds).toBeGreaterThan(MAX_AGE);
    expect((await checkReadiness(database.db)).status).toBe("ok");
  });

  it("names migration files the database has not applied, and ledger entries without a file", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tsiq-migrations-"));
    try {
      const [first, ...rest] = await listMigrations();
      await copyFile(first!.file, path.join(dir, path.basename(first!.file)));
      await writeFile(path.join(dir, "29991231000000_from_the_future.sql"), "select 1;\n");
      const report = await checkHealth(database.db, { workerMaxAgeSeconds: MAX_AGE, migrationsDir: dir });
      expect(report.status).toBe("unhealthy");
      expect(report.checks.migrations).toEqual({
        ok: false,
        pending: ["29991231000000_from_the_future"],
        unknown: rest.map((migration) => migration.version),
      });
      expect((await checkReadiness(database.db, dir)).status).toBe("not ready");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reports an unreachable database instead of throwing", async () => {
    const url = new URL(database.url);
    url.pathname = "/no_such_database";
    const unreachable = createDb(url.toString());
    try {
      const report = await checkHealth(unreachable, { workerMaxAgeSeconds: MAX_AGE });
      expect(report.status).toBe("unhealthy");
      expect(report.checks.database.ok).toBe(false);
      expect(report.checks.database.error).toContain("no_such_database");
      expect(report.checks.migrations.ok).toBe(false);
      expect(report.checks.worker.ok).toBe(false);
    } finally {
      await unreachable.close();
    }
  });
});
