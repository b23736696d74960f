import type { AgentSpecInput, TriggerEventType } from "@techscaniq/contracts/agents";
import { emitEvent, sql, withRlsTx, withServiceTx } from "@techscaniq/db";
import {
  claimsFor,
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadWorkerEnv } from "../../env";
import { createLogger } from "../../logger";
import { createPublishedAgent, eventually, runReaches, type TestMember } from "../../testing/agent";
import { startWorker, type RunningWorker } from "../../worker";
import { fireTrigger, type FiringOutcome } from "./trigger-event";

let database: TestDatabase;
let worker: RunningWorker | undefined;
let memberA: TestMember;
let memberB: TestMember;

/** Needs a scan id; its offline plan drafts one action, so a run ends without scanning. */
const FOLLOW_UP: AgentSpecInput = {
  instructions: "Draft a follow-up for the scan.",
  inputSchema: {
    type: "object",
    properties: { scanId: { type: "string" }, note: { type: "string" } },
    required: ["scanId"],
  },
  tools: ["propose_action"],
  outputs: { actions: ["issue.create"] },
  autonomy: "suggest",
  plan: [{ tool: "propose_action", input: { action: "issue.create", title: "Follow up", body: "Scan" } }],
};

async function member(): Promise<TestMember> {
  const user = await createTestUser(database.db);
  return { tenantId: (await createTestTenant(database.db, user.id)).id, userId: user.id };
}

/** The member creates a trigger through RLS, as the API does. */
function createTrigger(
  who: TestMember,
  agentId: string,
  values: { event_type: TriggerEventType; filter?: unknown[]; input?: object; input_map?: object },
): Promise<string> {
  return withRlsTx(database.db, claimsFor(who.userId), async (tx) => {
    const row = await tx
      .insertInto("agent_triggers")
      .values({
        tenant_id: who.tenantId,
        agent_id: agentId,
        event_type: values.event_type,
        filter: JSON.stringify(values.filter ?? []),
        input: JSON.stringify(values.input ?? {}),
        input_map: JSON.stringify(values.input_map ?? { scanId: "data.scanId" }),
        created_by: who.userId,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  });
}

/** The worker's event about a scan of the tenant (a real scan row). */
async function scanEvent(tenantId: string, type: string, data: Record<string, unknown> = {}) {
  return withServiceTx(database.db, async (tx) => {
    const scan = await tx
      .insertInto("scans")
      .values({ tenant_id: tenantId, target_url: "https://shop.example/" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const event = await emitEvent(tx, {
      type,
      tenantId,
      userId: null,
      subject: scan.id,
      data: { scanId: scan.id, status: "succeeded", ...data },
    });
    return { scanId: scan.id, eventId: String(event.id) };
  });
}

const runsOf = (agentId: string) =>
  database.db.kysely.selectFrom("agent_runs").selectAll().where("agent_id", "=", agentId).execute();

const jobKeys = async (prefix: string) =>
  (
    await sql<{ key: string }>`select key from graphile_worker.jobs where key like ${`${prefix}%`}`.execute(
      database.db.kysely,
    )
  ).rows.map((row) => row.key);

beforeEach(async () => {
  database = await createTestDatabase();
  memberA = await member();
  memberB = await member();
});

afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  await database.drop();
});

describe("triggers: an event starts each subscribed agent of its tenant once", { timeout: 180_000 }, () => {
  it("queues evt:<trigger>:<event>; the same event delivered twice makes one run", async () => {
    const agentId = await createPublishedAgent(database.db, memberA, FOLLOW_UP);
    const triggerId = await createTrigger(memberA, agentId, {
      event_type: "scan.completed",
      input: { note: "from the trigger" },
    });
    const { scanId, eventId } = await scanEvent(memberA.tenantId, "scan.completed");
    expect(await jobKeys("evt:")).toEqual([`evt:${triggerId}:${eventId}`]);

    const first = await fireTrigger(database.db, triggerId, eventId);
    const second = await fireTrigger(database.db, triggerId, eventId);
    expect(first.kind).toBe("started");
    expect(second).toEqual({ kind: "already" });
    const runs = await runsOf(agentId);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      trigger: "event",
      trigger_event_id: eventId,
      status: "queued",
      created_by: null,
      input: { scanId, note: "from the trigger" },
    });
    expect(await jobKeys("agent_run:")).toEqual([`agent_run:${runs[0]!.id}`]);
  });

  it("the worker takes the job up and the triggered run succeeds", async () => {
    const agentId = await createPublishedAgent(database.db, memberA, FOLLOW_UP);
    await createTrigger(memberA, agentId, { event_type: "scan.completed" });
    const env = loadWorkerEnv({
      DATABASE_URL: database.url,
      WORKER_HEALTH_PORT: "0",
      WORKER_CONCURRENCY: "1",
      WORKER_ID: `trigger-test-${process.pid}`,
    });
    worker = await startWorker(env, { logger: createLogger("silent", env.WORKER_ID) });
    const { eventId } = await scanEvent(memberA.tenantId, "scan.completed");
    const run = await waitForRun(agentId);
    expect(run.trigger_event_id).toBe(eventId);
    expect((await runReaches(database.db, run.id, ["succeeded", "failed"])).status).toBe("succeeded");
  });

  it("never starts an agent on another tenant's event, even when handed one", async () => {
    const agentId = await createPublishedAgent(database.db, memberA, FOLLOW_UP);
    const triggerId = await createTrigger(memberA, agentId, { event_type: "scan.completed" });
    const { eventId } = await scanEvent(memberB.tenantId, "scan.completed");
    expect(await jobKeys("evt:")).toEqual([]);
    expect(await fireTrigger(database.db, triggerId, eventId)).toMatchObject({ kind: "unmatched" });
    expect(await runsOf(agentId)).toEqual([]);
  });

  it("starts the agent when the filter matches, and not when it does not", async () => {
    const agentId = await createPublishedAgent(database.db, memberA, FOLLOW_UP);
    const triggerId = await createTrigger(memberA, agentId, {
      event_type: "scan.failed",
      filter: [
        { path: "data.status", op: "eq", value: "failed" },
        { path: "data.stage", op: "in", value: ["crawl", "render"] },
      ],
    });
    const miss = await scanEvent(memberA.tenantId, "scan.failed", { status: "failed", stage: "report" });
    const hit = await scanEvent(memberA.tenantId, "scan.failed", { status: "failed", stage: "render" });
    expect(await fireTrigger(database.db, triggerId, miss.eventId)).toEqual({
      kind: "unmatched",
      reason: "the filter does not match",
    });
    expect((await fireTrigger(database.db, triggerId, hit.eventId)).kind).toBe("started");
    expect((await runsOf(agentId)).map((run) => run.input)).toEqual([{ scanId: hit.scanId }]);
  });

  it("records why it started nothing: a paused agent, an input that does not fit", async () => {
    const agentId = await createPublishedAgent(database.db, memberA, FOLLOW_UP);
    const unmapped = await createTrigger(memberA, agentId, { event_type: "scan.completed", input_map: {} });
    const { eventId } = await scanEvent(memberA.tenantId, "scan.completed");
    expect(await fireTrigger(database.db, unmapped, eventId)).toMatchObject({
      kind: "skipped",
      reason: expect.stringContaining("does not fit version 1"),
    });
    await withServiceTx(database.db, (tx) =>
      tx.updateTable("agents").set({ status: "paused" }).where("id", "=", agentId).execute(),
    );
    const mapped = await createTrigger(memberA, agentId, { event_type: "scan.completed" });
    expect(await fireTrigger(database.db, mapped, eventId)).toEqual({
      kind: "skipped",
      reason: "the agent is paused; only a published agent runs on events",
    });
    expect(await runsOf(agentId)).toEqual([]);
  });
});

describe("triggers: loops are cut", { timeout: 180_000 }, () => {
  /** The worker ends the run: its agent_run.succeeded event. */
  const runSucceeded = (who: TestMember, runId: string, agentId: string) =>
    withServiceTx(database.db, async (tx) => {
      await tx
        .updateTable("agent_runs")
        .set({ status: "succeeded", ended_at: new Date() })
        .where("id", "=", runId)
        .execute();
      const event = await emitEvent(tx, {
        type: "agent_run.succeeded",
        tenantId: who.tenantId,
        userId: null,
        subject: runId,
        data: { runId, agentId, status: "succeeded" },
      });
      return String(event.id);
    });
  const startedRun = (outcome: FiringOutcome) => {
    if (outcome.kind !== "started") throw new Error(`no run started: ${JSON.stringify(outcome)}`);
    return outcome.runId;
  };
  const ON_RUN: AgentSpecInput = { ...FOLLOW_UP, inputSchema: { type: "object", properties: {} } };

  it("an agent ignores its own run's outcome; a chain of agents stops at its depth", async () => {
    const { eventId } = await scanEvent(memberA.tenantId, "scan.completed");
    const seed = await createPublishedAgent(database.db, memberA, FOLLOW_UP, "seed");
    const seedRun = startedRun(
      await fireTrigger(
        database.db,
        await createTrigger(memberA, seed, { event_type: "scan.completed" }),
        eventId,
      ),
    );
    // ping runs when seed's or pong's run succeeds, pong when ping's does: a circle.
    const ping = await createPublishedAgent(database.db, memberA, ON_RUN, "ping");
    const pong = await createPublishedAgent(database.db, memberA, ON_RUN, "pong");
    const onRunOf = (agentId: string, of: string[]) =>
      createTrigger(memberA, agentId, {
        event_type: "agent_run.succeeded",
        filter: [{ path: "data.agentId", op: "in", value: of }],
        input_map: {},
      });
    const pingTrigger = await onRunOf(ping, [seed, pong]);
    const pongTrigger = await onRunOf(pong, [ping]);

    const seedEnded = await runSucceeded(memberA, seedRun, seed);
    const pingRun = startedRun(await fireTrigger(database.db, pingTrigger, seedEnded));
    const pongRun = startedRun(
      await fireTrigger(database.db, pongTrigger, await runSucceeded(memberA, pingRun, ping)),
    );
    // seed (depth 1) → ping (2) → pong (3) → ping again would be 4.
    expect(await fireTrigger(database.db, pingTrigger, await runSucceeded(memberA, pongRun, pong))).toEqual({
      kind: "skipped",
      reason: "3 triggered runs in a row led here; at most 3 are started",
    });
    const depths = await database.db.kysely
      .selectFrom("agent_trigger_firings")
      .select(["run_id", "depth"])
      .where("run_id", "is not", null)
      .orderBy("depth")
      .execute();
    expect(depths).toEqual([
      { run_id: seedRun, depth: 1 },
      { run_id: pingRun, depth: 2 },
      { run_id: pongRun, depth: 3 },
    ]);

    // self runs on any run's success, but not on its own.
    const self = await createPublishedAgent(database.db, memberA, ON_RUN, "self");
    const selfTrigger = await createTrigger(memberA, self, {
      event_type: "agent_run.succeeded",
      input_map: {},
    });
    const selfRun = startedRun(await fireTrigger(database.db, selfTrigger, seedEnded));
    expect(await fireTrigger(database.db, selfTrigger, await runSucceeded(memberA, selfRun, self))).toEqual({
      kind: "skipped",
      reason: "the event was caused by a run of this agent",
    });
  });

  it("refuses finding.* events from requests (only the worker says a finding changed)", async () => {
    const agentId = await createPublishedAgent(database.db, memberA, ON_RUN);
    await createTrigger(memberA, agentId, { event_type: "finding.changed", input_map: {} });
    const forged = withRlsTx(database.db, claimsFor(memberA.userId), (tx) =>
      emitEvent(tx, { type: "finding.changed", tenantId: memberA.tenantId, userId: null, subject: "x" }),
    );
    await expect(forged).rejects.toMatchObject({ code: "42501" });
    expect(await jobKeys("evt:")).toEqual([]);
  });

  it("refuses integration.* and webhook.* events from requests (a test result or an alert is the worker's)", async () => {
    for (const type of ["integration.connection_tested", "webhook.endpoint_disabled"]) {
      const forged = withRlsTx(database.db, claimsFor(memberA.userId), (tx) =>
        emitEvent(tx, { type, tenantId: memberA.tenantId, userId: null, subject: "x" }),
      );
      await expect(forged, type).rejects.toMatchObject({ code: "42501" });
    }
  });
});

const waitForRun = async (agentId: string) =>
  eventually(async () => (await runsOf(agentId))[0], "the triggered run", 120_000);
