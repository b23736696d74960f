import {
  AgentSpec,
  agentInputProblems,
  MAX_TRIGGER_DEPTH,
  triggerFilterMatches,
  TriggerFilter,
  TriggerInputMap,
  triggerRunInput,
  type TriggerEvent,
} from "@techscaniq/contracts/agents";
import { AGENT_TRIGGER_EVENT_TASK, AgentTriggerEventPayload } from "@techscaniq/contracts/tasks";
import { emitEvent, sql, withServiceTx, type Database, type Db, type Selectable } from "@techscaniq/db";
import { defineTask, type TaskDefinition } from "../define";

type ServiceTx = Parameters<Parameters<typeof withServiceTx>[1]>[0];
type EventRow = Selectable<Database["events"]>;
type TriggerRow = Selectable<Database["agent_triggers"]>;

/**
 * What one delivery of (trigger, event) did: `started` a run, `skipped` with a recorded reason,
 * `already` handled (a redelivery), `unmatched` (filter, disabled, gone, or not the trigger's tenant
 * and type: nothing is recorded).
 */
export type FiringOutcome =
  | { kind: "started"; runId: string }
  | { kind: "skipped"; reason: string }
  | { kind: "already" }
  | { kind: "unmatched"; reason: string };

/**
 * The agent run that caused an event, if any: an agent_run.* event is about the run itself; a scan
 * (and the reports on it) may have been started by a run's scan_url step, which records the scan id.
 */
async function causingRun(tx: ServiceTx, event: EventRow): Promise<{ id: string; agent_id: string } | null> {
  const runs = tx
    .selectFrom("agent_runs")
    .select(["id", "agent_id"])
    .where("tenant_id", "=", event.tenant_id);
  if (event.type.startsWith("agent_run."))
    return (await runs.where("id", "=", event.subject).executeTakeFirst()) ?? null;
  const data = event.data as Record<string, unknown>;
  const scanId = event.type.startsWith("scan.")
    ? event.subject
    : event.type.startsWith("report.")
      ? data.scanId
      : null;
  if (typeof scanId !== "string") return null;
  const step = await tx
    .selectFrom("agent_run_steps")
    .select("run_id")
    .where("tenant_id", "=", event.tenant_id)
    .where("kind", "=", "tool_call")
    .where(sql`response ->> 'scanId'`, "=", scanId)
    .executeTakeFirst();
  return step ? ((await runs.where("id", "=", step.run_id).executeTakeFirst()) ?? null) : null;
}

/** 1 + the depth of the triggered run that caused the event (1 when no triggered run did). */
async function chainDepth(tx: ServiceTx, tenantId: string, cause: { id: string } | null): Promise<number> {
  if (!cause) return 1;
  const firing = await tx
    .selectFrom("agent_trigger_firings")
    .select("depth")
    .where("tenant_id", "=", tenantId)
    .where("run_id", "=", cause.id)
    .executeTakeFirst();
  return (firing?.depth ?? 0) + 1;
}

/** Why the trigger starts no run for the event, or the run's version and input. */
async function planRun(
  tx: ServiceTx,
  trigger: TriggerRow,
  event: EventRow,
  view: TriggerEvent,
): Promise<{ skip: string } | { version: number; input: Record<string, unknown>; depth: number }> {
  const cause = await causingRun(tx, event);
  // Loop guard: an agent never re-triggers on what its own run caused, and chains stop at a depth.
  if (cause?.agent_id === trigger.agent_id) return { skip: "the event was caused by a run of this agent" };
  const depth = await chainDepth(tx, trigger.tenant_id, cause);
  if (depth > MAX_TRIGGER_DEPTH)
    return {
      skip: `${depth - 1} triggered runs in a row led here; at most ${MAX_TRIGGER_DEPTH} are started`,
    };
  const agent = await tx
    .selectFrom("agents")
    .select(["status", "current_version"])
    .where("tenant_id", "=", trigger.tenant_id)
    .where("id", "=", trigger.agent_id)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (agent.status !== "published" || agent.current_version === null)
    return { skip: `the agent is ${agent.status}; only a published agent runs on events` };
  const version = await tx
    .selectFrom("agent_versions")
    .select("spec")
    .where("tenant_id", "=", trigger.tenant_id)
    .where("agent_id", "=", trigger.agent_id)
    .where("version", "=", agent.current_version)
    .executeTakeFirstOrThrow();
  const inputMap = TriggerInputMap.safeParse(trigger.input_map);
  if (!inputMap.success) return { skip: "the trigger's input_map is not valid" };
  const input = triggerRunInput(trigger.input as Record<string, unknown>, inputMap.data, view);
  const problems = agentInputProblems(AgentSpec.parse(version.spec), input);
  if (problems)
    return { skip: `the input from the event does not fit version ${agent.current_version}: ${problems}` };
  return { version: agent.current_version, input, depth };
}

/**
 * Acts on one event for one trigger, once: the trigger row is locked, so deliveries of the same pair
 * queue behind each other and the second finds the firing row the first wrote. Only the trigger's own
 * tenant's events of its type count; a run is `event`-triggered, records the event and is queued as
 * the API queues runs (its agent_run.queued event and job, in this transaction).
 */
export async function fireTrigger(db: Db, triggerId: string, eventId: string): Promise<FiringOutcome> {
  return withServiceTx(db, async (tx) => {
    const trigger = await tx
      .selectFrom("agent_triggers")
      .selectAll()
      .where("id", "=", triggerId)
      .forUpdate()
      .executeTakeFirst();
    if (!trigger) return { kind: "unmatched", reason: "the trigger was deleted" };
    const event = await tx.selectFrom("events").selectAll().where("id", "=", eventId).executeTakeFirst();
    if (!event || event.tenant_id !== trigger.tenant_id || event.type !== trigger.event_type)
      return { kind: "unmatched", reason: "not an event of the trigger's tenant and type" };
    if (!trigger.enabled) return { kind: "unmatched", reason: "the trigger is disabled" };
    const done = await tx
      .selectFrom("agent_trigger_firings")
      .select("id")
      .where("trigger_id", "=", trigger.id)
      .where("event_id", "=", eventId)
      .executeTakeFirst();
    if (done) return { kind: "already" };

    const view: TriggerEvent = {
      id: eventId,
      type: event.type,
      subject: event.subject,
      data: event.data as Record<string, unknown>,
    };
    const filter = TriggerFilter.safeParse(trigger.filter);
    if (filter.success && !triggerFilterMatches(filter.data, view))
      return { kind: "unmatched", reason: "the filter does not match" };
    const plan = filter.success
      ? await planRun(tx, trigger, event, view)
      : { skip: "the filter is not valid" };
    const firing = { tenant_id: trigger.tenant_id, trigger_id: trigger.id, event_id: eventId };
    if ("skip" in plan) {
      await tx
        .insertInto("agent_trigger_firings")
        .values({ ...firing, skipped_reason: plan.skip })
        .execute();
      return { kind: "skipped", reason: plan.skip };
    }
    const run = await tx
      .insertInto("agent_runs")
      .values({
        tenant_id: trigger.tenant_id,
        agent_id: trigger.agent_id,
        agent_version: plan.version,
        trigger: "event",
        trigger_event_id: eventId,
        input: JSON.stringify(plan.input),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx
      .insertInto("agent_trigger_firings")
      .values({ ...firing, run_id: run.id, depth: plan.depth })
      .execute();
    await emitEvent(tx, {
      type: "agent_run.queued",
      tenantId: run.tenant_id,
      userId: null,
      subject: run.id,
      data: {
        runId: run.id,
        agentId: run.agent_id,
        status: run.status,
        version: run.agent_version,
        triggerId: trigger.id,
        eventId,
      },
    });
    await sql`select private.enqueue_agent_run_job(${run.id}::uuid)`.execute(tx);
    return { kind: "started", runId: run.id };
  });
}

/** `agent.trigger_event` ({ triggerId, eventId }): idempotent, so a redelivered job starts nothing. */
export function triggerEventTask(db: Db): TaskDefinition<typeof AgentTriggerEventPayload> {
  return defineTask({
    name: AGENT_TRIGGER_EVENT_TASK,
    payload: AgentTriggerEventPayload,
    handler: async (payload, { helpers }) => {
      const outcome = await fireTrigger(db, payload.triggerId, String(payload.eventId));
      helpers.logger.info(
        `agent.trigger_event ${payload.triggerId}/${payload.eventId}: ${outcome.kind}` +
          ("reason" in outcome ? ` (${outcome.reason})` : ""),
      );
    },
  });
}
