import type { AgentSpecInput } from "@techscaniq/contracts/agents";
import { sql, withServiceTx } from "@techscaniq/db";
import {
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadWorkerEnv } from "../../env";
import { createLogger } from "../../logger";
import { createPublishedAgent, runReaches, triggerRun, type TestMember } from "../../testing/agent";
import { startWorker, type RunningWorker } from "../../worker";
import { queueRunsWithoutJob } from "./store";

let database: TestDatabase;
let worker: RunningWorker | undefined;
let member: TestMember;

/** An agent whose offline plan needs no scan: it drafts one action. */
const PROPOSER: AgentSpecInput = {
  instructions: "Propose the weekly review issue.",
  inputSchema: { type: "object", properties: {} },
  tools: ["propose_action"],
  outputs: { actions: ["issue.create"] },
  autonomy: "suggest",
  plan: [{ tool: "propose_action", input: { action: "issue.create", title: "Review", body: "Weekly" } }],
};

const jobsOf = async (runId: string) =>
  (
    await sql<{
      id: string;
    }>`select id::text from graphile_worker.jobs where key = ${`agent_run:${runId}`}`.execute(
      database.db.kysely,
    )
  ).rows.map((row) => row.id);

const queueSchemaExists = async () =>
  (
    await sql<{ exists: boolean }>`select to_regnamespace('graphile_worker') is not null as exists`.execute(
      database.db.kysely,
    )
  ).rows[0]!.exists;

beforeEach(async () => {
  database = await createTestDatabase();
  const user = await createTestUser(database.db);
  member = { tenantId: (await createTestTenant(database.db, user.id)).id, userId: user.id };
});

afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  await database.drop();
});

describe("agents: runs queued before any worker existed are picked up", { timeout: 180_000 }, () => {
  it("a run queued while graphile-worker's schema is missing runs once the worker starts", async () => {
    // A database migrated without the job queue (as `supabase db push` leaves it): queueing is skipped.
    await sql`drop schema graphile_worker cascade`.execute(database.db.kysely);
    const agentId = await createPublishedAgent(database.db, member, PROPOSER);
    const runId = await triggerRun(database.db, member, agentId, {});
    expect(await queueSchemaExists()).toBe(false);

    const env = loadWorkerEnv({
      DATABASE_URL: database.url,
      WORKER_HEALTH_PORT: "0",
      WORKER_CONCURRENCY: "1",
      WORKER_ID: `agent-backlog-test-${process.pid}`,
    });
    worker = await startWorker(env, { logger: createLogger("silent", env.WORKER_ID) });
    const run = await runReaches(database.db, runId, ["succeeded", "failed", "cancelled"]);
    expect(run.error_message).toBeNull();
    expect(run.status).toBe("succeeded");
    expect((run.output as { actions: { state: string }[] }).actions).toEqual([
      { action: "issue.create", title: "Review", body: "Weekly", state: "drafted" },
    ]);
  });

  it("queues only queued runs without a job, once: a run's existing job and ended runs are left alone", async () => {
    const agentId = await createPublishedAgent(database.db, member, PROPOSER);
    const withJob = await triggerRun(database.db, member, agentId, {});
    const withoutJob = await triggerRun(database.db, member, agentId, {});
    const ended = await triggerRun(database.db, member, agentId, {});
    for (const runId of [withoutJob, ended])
      await sql`select graphile_worker.remove_job(${`agent_run:${runId}`})`.execute(database.db.kysely);
    await withServiceTx(database.db, (tx) =>
      tx
        .updateTable("agent_runs")
        .set({ status: "failed", ended_at: new Date() })
        .where("id", "=", ended)
        .execute(),
    );
    const existingJob = await jobsOf(withJob);

    expect(await queueRunsWithoutJob(database.db)).toEqual([withoutJob]);
    expect(await queueRunsWithoutJob(database.db)).toEqual([]);
    expect(await jobsOf(withJob)).toEqual(existingJob);
    expect(await jobsOf(withoutJob)).toHaveLength(1);
    expect(await jobsOf(ended)).toEqual([]);
  });

  it("scans have no such gap: without the job queue, queueing a scan fails and leaves no queued scan", async () => {
    await sql`drop schema graphile_worker cascade`.execute(database.db.kysely);
    const queueing = withServiceTx(database.db, async (tx) => {
      const scan = await tx
        .insertInto("scans")
        .values({ tenant_id: member.tenantId, target_url: "https://example.com/" })
        .returning("id")
        .executeTakeFirstOrThrow();
      await sql`select private.enqueue_scan_job(${scan.id}::uuid, 'scan.crawl')`.execute(tx);
    });
    await expect(queueing).rejects.toThrow(/graphile_worker/);
    const scans = await database.db.kysely.selectFrom("scans").select("id").execute();
    expect(scans).toEqual([]);
  });
});
