import { withServiceTx } from "@techscaniq/db";
import { createTestDatabase, waitUntil, type TestDatabase } from "@techscaniq/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadWorkerEnv } from "./env";
import { createLogger } from "./logger";
import { defineTask } from "./tasks/define";
import { startWorker, type RunningWorker } from "./worker";

interface JobRow {
  attempts: number;
  max_attempts: number;
  last_error: string | null;
}

const JOB_WAIT_MS = 30_000;

describe("worker task runner", () => {
  let database: TestDatabase;
  let worker: RunningWorker | undefined;
  const seen: number[] = [];

  beforeEach(async () => {
    database = await createTestDatabase();
    seen.length = 0;
    const env = loadWorkerEnv({
      ...process.env,
      DATABASE_URL: database.url,
      WORKER_HEALTH_PORT: "0",
      WORKER_CONCURRENCY: "1",
      WORKER_ID: "task-test",
    });
    worker = await startWorker(env, {
      logger: createLogger("silent", env.WORKER_ID),
      extraTasks: [
        defineTask({
          name: "test.record",
          payload: z.object({ n: z.number().int() }),
          handler: async ({ n }) => {
            seen.push(n);
          },
        }),
      ],
    });
  });

  afterEach(async () => {
    await worker?.stop();
    await database.drop();
  });

  const jobState = (id: string) =>
    database.db.pool
      .query<JobRow>("select attempts, max_attempts, last_error from graphile_worker.jobs where id = $1", [
        id,
      ])
      .then((result) => result.rows[0]);

  it("runs a job with a valid payload, parsed by the task's schema", async () => {
    await worker!.runner.addJob("test.record", { n: 7 });
    await waitUntil(() => seen.length > 0, { what: "the job to run", timeoutMs: JOB_WAIT_MS });
    expect(seen).toEqual([7]);
  });

  it("fails a bad payload for good, with a message naming the field, without running the handler", async () => {
    const job = await worker!.runner.addJob("test.record", { n: "seven" }, { maxAttempts: 5 });
    const failed = await waitUntil(
      async () => {
        const state = await jobState(job.id);
        return state?.last_error ? state : undefined;
      },
      { what: "the job to fail", timeoutMs: JOB_WAIT_MS },
    );
    expect(failed.last_error).toMatch(/^Invalid payload for task test\.record: n: /);
    expect(failed.attempts).toBe(failed.max_attempts);
    expect(seen).toEqual([]);
  });

  it("prunes heartbeats of workers gone for longer than the limit and keeps live ones", async () => {
    await withServiceTx(database.db, (trx) =>
      trx
        .insertInto("worker_heartbeats")
        .values({
          worker_id: "crashed",
          hostname: "old-host",
          pid: 1,
          last_seen_at: new Date(Date.now() - 3 * 86_400_000),
        })
        .execute(),
    );
    const job = await worker!.runner.addJob("maintenance.prune_heartbeats", { olderThanMinutes: 60 });
    await waitUntil(async () => (await jobState(job.id)) === undefined, {
      what: "the prune job to complete",
      timeoutMs: JOB_WAIT_MS,
    });
    const ids = await withServiceTx(database.db, (trx) =>
      trx.selectFrom("worker_heartbeats").select("worker_id").orderBy("worker_id").execute(),
    );
    expect(ids.map((row) => row.worker_id)).toEqual(["task-test"]);
  });
});
