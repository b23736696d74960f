import { TERMINAL_AGENT_RUN_STATUSES, type AgentRunTrigger } from "@techscaniq/contracts/agents";
import { emitEvent, sql, type Database, type Selectable, type Transaction } from "@techscaniq/db";
import type { z } from "zod";
import { DomainError } from "../../errors";
import type { EventFamily } from "../scans/events";
import { afterCursor, keysetPage } from "../keyset";
import type { ScanActor } from "../scans/service";
import { checkRunInput, findAgent, runnableVersion } from "./agents";
import type { AgentRunStepView, AgentRunView, listRunsInput } from "./agents.schemas";

type Tx = Transaction<Database>;
type RunRow = Selectable<Database["agent_runs"]>;
type StepRow = Selectable<Database["agent_run_steps"]>;
type AgentRow = Selectable<Database["agents"]>;

/** The worker ends a run with exactly one of these; a run's progress stream ends there. */
export const AGENT_RUN_EVENTS: EventFamily = {
  prefix: "agent_run.",
  terminal: new Set(TERMINAL_AGENT_RUN_STATUSES.map((status) => `agent_run.${status}`)),
};

const isEnded = (run: RunRow) => (TERMINAL_AGENT_RUN_STATUSES as readonly string[]).includes(run.status);

/** A run row with the type of the event that started it (selected by `runsWithEvent`), if any. */
type RunWithEvent = RunRow & { trigger_event_type?: string | null };

/** Runs as RLS shows them, each with the type of the event that started it. */
const runsWithEvent = (tx: Tx) =>
  tx
    .selectFrom("agent_runs")
    .selectAll("agent_runs")
    .select(
      sql<string | null>`(select e.type from public.events e where e.id = agent_runs.trigger_event_id)`.as(
        "trigger_event_type",
      ),
    );

export function toRunView(row: RunWithEvent): AgentRunView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    agentId: row.agent_id,
    agentVersion: row.agent_version,
    trigger: row.trigger,
    input: row.input as Record<string, unknown>,
    status: row.status,
    output: row.output as AgentRunView["output"],
    error: row.error_message,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: Number(row.cost_usd),
    priceTableVersion: row.price_table_version,
    retryOf: row.retry_of,
    event:
      row.trigger_event_id === null
        ? null
        : { id: row.trigger_event_id, type: row.trigger_event_type ?? null },
    cancelRequestedAt: row.cancel_requested_at?.toISOString() ?? null,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    endedAt: row.ended_at?.toISOString() ?? null,
    scheduleId: row.schedule_id,
    slotAt: row.slot_at?.toISOString() ?? null,
    backfilled: row.backfilled,
    skipReason: row.skip_reason,
  };
}

function toStepView(row: StepRow): AgentRunStepView {
  return {
    id: row.id,
    seq: row.seq,
    kind: row.kind,
    name: row.name,
    request: row.request,
    response: row.response,
    status: row.status,
    error: row.error_message,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: Number(row.cost_usd),
    decidedBy: row.decided_by,
    decidedAt: row.decided_at?.toISOString() ?? null,
    decisionNote: row.decision_note,
    startedAt: row.started_at.toISOString(),
    endedAt: row.ended_at?.toISOString() ?? null,
  };
}

/** The run, as RLS lets the caller see it; NOT_FOUND for another tenant's run. */
export async function findRun(
  tx: Tx,
  actor: ScanActor,
  runId: string,
  { forUpdate = false } = {},
): Promise<RunWithEvent> {
  let query = runsWithEvent(tx).where("id", "=", runId).where("tenant_id", "=", actor.tenantId);
  if (forUpdate) query = query.forUpdate();
  const run = await query.executeTakeFirst();
  if (!run) throw new DomainError("NOT_FOUND", `Agent run ${runId} was not found in this tenant`);
  return run;
}

async function runEvent(tx: Tx, actor: ScanActor, type: string, run: RunRow, data = {}) {
  await emitEvent(tx, {
    type,
    tenantId: run.tenant_id,
    userId: actor.userId,
    subject: run.id,
    data: { runId: run.id, agentId: run.agent_id, status: run.status, ...data },
  });
}

function refuseUnrunnable(agent: AgentRow) {
  if (agent.status !== "published")
    throw new DomainError(
      "PRECONDITION_FAILED",
      `Agent ${agent.name} is ${agent.status}; only a published agent can run` +
        (agent.status === "paused"
          ? " (resume it first)"
          : agent.status === "draft"
            ? " (publish it first)"
            : ""),
    );
}

/** Inserts the run as queued, its `agent_run.queued` event and its job, in the caller's transaction. */
async function queueRun(
  tx: Tx,
  actor: ScanActor,
  values: { agent: AgentRow; version: number; input: Record<string, unknown>; trigger: AgentRunTrigger },
  retryOf: string | null = null,
): Promise<AgentRunView> {
  const run = await tx
    .insertInto("agent_runs")
    .values({
      tenant_id: values.agent.tenant_id,
      agent_id: values.agent.id,
      agent_version: values.version,
      trigger: values.trigger,
      input: JSON.stringify(values.input),
      retry_of: retryOf,
      created_by: actor.userId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await runEvent(tx, actor, "agent_run.queued", run, { version: run.agent_version, retryOf });
  await sql`select private.enqueue_agent_run_job(${run.id}::uuid)`.execute(tx);
  return toRunView(run);
}

/** A person in the app starts a `manual` run; an API key an `api` run. */
export async function triggerRun(
  tx: Tx,
  actor: ScanActor,
  input: { agentId: string; input: Record<string, unknown> },
  trigger: AgentRunTrigger,
): Promise<AgentRunView> {
  const agent = await findAgent(tx, actor, input.agentId, { forUpdate: true });
  refuseUnrunnable(agent);
  const { version, spec } = await runnableVersion(tx, agent);
  checkRunInput(spec, version, input.input);
  return queueRun(tx, actor, { agent, version, input: input.input, trigger });
}

/** A new run of the same version with the same input, pointing back at the ended one. */
export async function retryRun(
  tx: Tx,
  actor: ScanActor,
  runId: string,
  trigger: AgentRunTrigger,
): Promise<AgentRunView> {
  const run = await findRun(tx, actor, runId);
  if (!isEnded(run))
    throw new DomainError(
      "CONFLICT",
      `Agent run ${runId} is ${run.status}; only an ended run can be retried`,
    );
  const agent = await findAgent(tx, actor, run.agent_id, { forUpdate: true });
  refuseUnrunnable(agent);
  return queueRun(
    tx,
    actor,
    { agent, version: run.agent_version, input: run.input as Record<string, unknown>, trigger },
    run.id,
  );
}

export async function listRuns(tx: Tx, actor: ScanActor, input: z.output<typeof listRunsInput>) {
  let query = runsWithEvent(tx)
    .where("tenant_id", "=", actor.tenantId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(input.limit + 1);
  if (input.agentId) query = query.where("agent_id", "=", input.agentId);
  if (input.status)
    query = query.where("status", "in", Array.isArray(input.status) ? input.status : [input.status]);
  if (input.trigger)
    query = query.where("trigger", "in", Array.isArray(input.trigger) ? input.trigger : [input.trigger]);
  if (input.from) query = query.where("created_at", ">=", input.from);
  if (input.to) query = query.where("created_at", "<", input.to);
  if (input.cursor) query = query.where(afterCursor(input.cursor, "agentRun.list"));
  return keysetPage(await query.execute(), input.limit, toRunView);
}

export async function listSteps(tx: Tx, actor: ScanActor, runId: string): Promise<AgentRunStepView[]> {
  const run = await findRun(tx, actor, runId);
  const rows = await tx
    .selectFrom("agent_run_steps")
    .selectAll()
    .where("run_id", "=", run.id)
    .where("tenant_id", "=", run.tenant_id)
    .orderBy("seq")
    .execute();
  return rows.map(toStepView);
}

/**
 * Asks the worker to stop the run: only the worker writes a run's status, so
 * this sets `cancel_requested_at` and the worker aborts the step in flight and
 * ends the run `cancelled`. A run waiting for approval has no job running, so
 * its job is queued again for the worker to end it.
 */
export async function cancelRun(tx: Tx, actor: ScanActor, runId: string): Promise<AgentRunView> {
  const run = await findRun(tx, actor, runId, { forUpdate: true });
  if (isEnded(run)) throw new DomainError("CONFLICT", `Agent run ${runId} has already ended (${run.status})`);
  const flagged = await tx
    .updateTable("agent_runs")
    .set({ cancel_requested_at: run.cancel_requested_at ?? new Date() })
    .where("id", "=", run.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await runEvent(tx, actor, "agent_run.cancel_requested", flagged);
  if (run.status === "waiting_approval")
    await sql`select private.enqueue_agent_run_job(${run.id}::uuid)`.execute(tx);
  return toRunView(flagged);
}

/** Records the decision on the waiting approval step; the run is queued to resume from its checkpoint. */
export async function decideApproval(
  tx: Tx,
  actor: ScanActor,
  input: { runId: string; note?: string | undefined },
  approve: boolean,
): Promise<AgentRunView> {
  const run = await findRun(tx, actor, input.runId, { forUpdate: true });
  if (run.status !== "waiting_approval")
    throw new DomainError(
      "CONFLICT",
      `Agent run ${run.id} is ${run.status}, not waiting for approval; nothing to decide`,
    );
  await sql`select private.decide_agent_approval(${run.id}::uuid, ${approve}, ${input.note ?? null})`
    .execute(tx)
    .catch((error: unknown) => {
      // 55000: the run waits, but its approval step is not (yet) written.
      if ((error as { code?: string }).code === "55000")
        throw new DomainError("CONFLICT", `Agent run ${run.id} has no approval waiting`, undefined, {
          cause: error,
        });
      throw error;
    });
  const queued = await findRun(tx, actor, run.id);
  await runEvent(tx, actor, "agent_run.queued", queued, { decision: approve ? "approved" : "rejected" });
  return toRunView(queued);
}
