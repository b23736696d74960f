import {
  AgentSpec,
  TERMINAL_AGENT_RUN_STATUSES,
  type AgentRunStatus,
  type AgentStepKind,
} from "@techscaniq/contracts/agents";
import { AGENT_USAGE_TASK } from "@techscaniq/contracts/ai";
import { emitEvent, sql, withServiceTx, type Db, type Selectable, type Database } from "@techscaniq/db";

/**
 * A run's rows as the worker reads and writes them (service role; every statement names the run): the
 * run's bookkeeping. What its tools do on the tenant's data runs as agent_runner, in tools.ts.
 * Steps are keyed by (run, seq): writing a step again at the same position replaces it, so a resumed
 * run that repeats a step never adds a second row.
 */

type ServiceTx = Parameters<Parameters<typeof withServiceTx>[1]>[0];

export type AgentRunRow = Selectable<Database["agent_runs"]>;
export type AgentStepRow = Selectable<Database["agent_run_steps"]>;
export type StepStatus = AgentStepRow["status"];

export interface LoadedRun {
  run: AgentRunRow;
  spec: AgentSpec;
  agentName: string;
}

export const isTerminal = (status: AgentRunStatus) =>
  (TERMINAL_AGENT_RUN_STATUSES as readonly string[]).includes(status);

/** The run with its pinned version's spec; null when the run is gone. */
export async function loadRun(db: Db, runId: string): Promise<LoadedRun | null> {
  const row = await db.kysely
    .selectFrom("agent_runs as r")
    .innerJoin("agent_versions as v", (join) =>
      join
        .onRef("v.tenant_id", "=", "r.tenant_id")
        .onRef("v.agent_id", "=", "r.agent_id")
        .onRef("v.version", "=", "r.agent_version"),
    )
    .innerJoin("agents as a", (join) =>
      join.onRef("a.tenant_id", "=", "r.tenant_id").onRef("a.id", "=", "r.agent_id"),
    )
    .selectAll("r")
    .select(["v.spec as spec", "a.name as agent_name"])
    .where("r.id", "=", runId)
    .executeTakeFirst();
  if (!row) return null;
  const { spec, agent_name: agentName, ...run } = row;
  return { run, spec: AgentSpec.parse(spec), agentName };
}

async function runEvent(
  tx: ServiceTx,
  run: AgentRunRow,
  type: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  await emitEvent(tx, {
    type,
    tenantId: run.tenant_id,
    userId: null,
    subject: run.id,
    data: { runId: run.id, agentId: run.agent_id, ...data },
  });
}

/** queued → running (again after an approval); `agent_run.started` each time the worker takes it up. */
export async function markRunning(db: Db, run: AgentRunRow, priceTable: string): Promise<void> {
  await withServiceTx(db, async (tx) => {
    const updated = await tx
      .updateTable("agent_runs")
      .set({
        status: "running",
        started_at: sql<Date>`coalesce(started_at, now())`,
        price_table_version: priceTable,
      })
      .where("id", "=", run.id)
      .where("status", "in", ["queued", "running"])
      .returning(["status"])
      .executeTakeFirst();
    if (updated && run.status === "queued")
      await runEvent(tx, run, "agent_run.started", { status: "running" });
  });
}

export async function stepsOf(db: Db, runId: string): Promise<AgentStepRow[]> {
  return db.kysely
    .selectFrom("agent_run_steps")
    .selectAll()
    .where("run_id", "=", runId)
    .orderBy("seq")
    .execute();
}

export interface StepStart {
  seq: number;
  kind: AgentStepKind;
  name: string;
  request: unknown;
  status?: StepStatus;
}

/** Writes a step as started (or waiting, for an approval), replacing an unfinished one at its position. */
export async function startStep(db: Db, run: AgentRunRow, step: StepStart): Promise<void> {
  const status = step.status ?? "running";
  await withServiceTx(db, async (tx) => {
    await tx
      .insertInto("agent_run_steps")
      .values({
        tenant_id: run.tenant_id,
        run_id: run.id,
        seq: step.seq,
        kind: step.kind,
        name: step.name.slice(0, 200),
        request: JSON.stringify(step.request ?? {}),
        status,
      })
      .onConflict((conflict) =>
        conflict.columns(["run_id", "seq"]).doUpdateSet({
          request: JSON.stringify(step.request ?? {}),
          status,
          ended_at: null,
          error_message: null,
        }),
      )
      .execute();
    await runEvent(tx, run, "agent_run.step", { seq: step.seq, kind: step.kind, name: step.name, status });
  });
}

export interface StepEnd {
  status: Exclude<StepStatus, "running" | "waiting">;
  response?: unknown;
  error?: string;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  /** A model step's call, metered into ai_usage with the step's tokens and cost. */
  usage?: ModelCallUsage;
}

/** What ai_usage records of one model call besides its tokens and cost. */
export interface ModelCallUsage {
  provider: string;
  model: string;
  /** False when the model has no price (cost recorded as 0). */
  priced: boolean;
  latencyMs: number;
  /** ok, or the failure kind (rate_limited, timeout, aborted, …). */
  outcome: string;
}

/** One ai_usage row for a model call of the run (task runAgent), billed to the run's tenant. */
async function meterModelCall(tx: ServiceTx, run: AgentRunRow, usage: ModelCallUsage, end: StepEnd) {
  await tx
    .insertInto("ai_usage")
    .values({
      tenant_id: run.tenant_id,
      agent_run_id: run.id,
      task: AGENT_USAGE_TASK,
      provider: usage.provider,
      model: usage.model,
      input_tokens: end.inputTokens ?? 0,
      output_tokens: end.outputTokens ?? 0,
      cost_usd: (end.costUsd ?? 0).toFixed(6),
      priced: usage.priced,
      latency_ms: Math.max(0, Math.round(usage.latencyMs)),
      outcome: usage.outcome,
      error: end.error?.slice(0, 2000) ?? null,
    })
    .execute();
}

/** Meters a model call whose step is left unfinished (a cancel aborted it). */
export async function meterAbandonedCall(db: Db, run: AgentRunRow, usage: ModelCallUsage, error: string) {
  await withServiceTx(db, (tx) => meterModelCall(tx, run, usage, { status: "error", error }));
}

/**
 * Ends a step and adds its tokens and cost to the run's totals (summed from the steps: never twice);
 * a model step's call is metered in the same transaction, so a replayed step is never metered again.
 */
export async function finishStep(db: Db, run: AgentRunRow, seq: number, end: StepEnd): Promise<AgentStepRow> {
  return withServiceTx(db, async (tx) => {
    const step = await tx
      .updateTable("agent_run_steps")
      .set({
        status: end.status,
        ...(end.response !== undefined ? { response: JSON.stringify(end.response) } : {}),
        error_message: end.error?.slice(0, 2000) ?? null,
        input_tokens: end.inputTokens ?? 0,
        output_tokens: end.outputTokens ?? 0,
        cost_usd: (end.costUsd ?? 0).toFixed(6),
        ended_at: new Date(),
      })
      .where("run_id", "=", run.id)
      .where("seq", "=", seq)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (end.usage) await meterModelCall(tx, run, end.usage, end);
    await sql`
      update public.agent_runs r
         set input_tokens = s.input_tokens, output_tokens = s.output_tokens, cost_usd = s.cost_usd
        from (select coalesce(sum(input_tokens), 0) as input_tokens,
                     coalesce(sum(output_tokens), 0) as output_tokens,
                     coalesce(sum(cost_usd), 0) as cost_usd
                from public.agent_run_steps where run_id = ${run.id}) s
       where r.id = ${run.id}`.execute(tx);
    await runEvent(tx, run, "agent_run.step", { seq, kind: step.kind, name: step.name, status: end.status });
    return step;
  });
}

/** The run waits for a member's decision: its job ends; private.decide_agent_approval queues it again. */
export async function markWaitingApproval(db: Db, run: AgentRunRow, seq: number, proposal: unknown) {
  await withServiceTx(db, async (tx) => {
    await tx.updateTable("agent_runs").set({ status: "waiting_approval" }).where("id", "=", run.id).execute();
    await runEvent(tx, run, "agent_run.waiting_approval", { seq, status: "waiting_approval", proposal });
  });
}

export interface RunOutput {
  summary: string;
  results: { tool: string; input: unknown; output: unknown }[];
  actions: { action: string; title: string; body: string; state: string }[];
}

/** Ends the run (once): status, output and error, steps still open marked cancelled, the terminal event. */
export async function finishRun(
  db: Db,
  run: AgentRunRow,
  status: (typeof TERMINAL_AGENT_RUN_STATUSES)[number],
  output: RunOutput | null,
  error: string | null = null,
): Promise<void> {
  await withServiceTx(db, async (tx) => {
    const ended = await tx
      .updateTable("agent_runs")
      .set({
        status,
        output: output ? JSON.stringify(output) : null,
        error_message: error?.slice(0, 2000) ?? null,
        ended_at: new Date(),
      })
      .where("id", "=", run.id)
      .where("status", "not in", [...TERMINAL_AGENT_RUN_STATUSES])
      .returning(["input_tokens", "output_tokens", "cost_usd"])
      .executeTakeFirst();
    if (!ended) return;
    await tx
      .updateTable("agent_run_steps")
      .set({ status: "cancelled", ended_at: new Date() })
      .where("run_id", "=", run.id)
      .where("status", "in", ["running", "waiting"])
      .execute();
    await runEvent(tx, run, `agent_run.${status}`, {
      status,
      inputTokens: ended.input_tokens,
      outputTokens: ended.output_tokens,
      costUsd: Number(ended.cost_usd),
      ...(error ? { error: error.slice(0, 500) } : {}),
    });
  });
}

/** True once a member asked to cancel the run. */
export async function cancelRequested(db: Db, runId: string): Promise<boolean> {
  const row = await db.kysely
    .selectFrom("agent_runs")
    .select("cancel_requested_at")
    .where("id", "=", runId)
    .executeTakeFirst();
  return !row || row.cancel_requested_at !== null;
}

/**
 * Queues the job of every queued run that has none. private.enqueue_agent_run_job skips queueing while
 * graphile-worker's schema is missing (runs made before any worker started, e.g. after `supabase db push`),
 * so the worker calls this once its schema exists. A run whose job exists keeps it (a locked job would
 * otherwise be duplicated). Returns the runs queued.
 */
export async function queueRunsWithoutJob(db: Db): Promise<string[]> {
  return withServiceTx(db, async (tx) => {
    const { rows } = await sql<{ id: string }>`
      select r.id, private.enqueue_agent_run_job(r.id)
        from public.agent_runs r
       where r.status = 'queued'
         -- By payload, not key: a schedule's run is queued under its slot's key (sched:<schedule>:<slot>).
         -- (graphile-worker's jobs view has no payload column.)
         and not exists (select 1 from graphile_worker._private_jobs j
                           join graphile_worker._private_tasks t on t.id = j.task_id
                          where t.identifier = 'agent.run' and j.payload->>'runId' = r.id::text)
       order by r.created_at`.execute(tx);
    return rows.map((row) => row.id);
  });
}
