import { AgentSpec, type AgentSpecInput } from "@techscaniq/contracts/agents";
import { emitEvent, sql, withRlsTx, type Db } from "@techscaniq/db";
import { claimsFor, waitUntil } from "@techscaniq/db/testing";
import type { AgentRunRow } from "../tasks/agent/store";

/** Test-only: what the API does (agent-api branch), done as the member through RLS. */

export interface TestMember {
  tenantId: string;
  userId: string;
}

/** A published agent (version 1) of `spec`. */
export async function createPublishedAgent(
  db: Db,
  member: TestMember,
  spec: AgentSpecInput,
  name = `agent-${Math.random().toString(36).slice(2, 8)}`,
): Promise<string> {
  const parsed = AgentSpec.parse(spec);
  return withRlsTx(
    db,
    claimsFor(member.userId),
    async (tx) => {
      const agent = await tx
        .insertInto("agents")
        .values({
          tenant_id: member.tenantId,
          name,
          draft_spec: JSON.stringify(parsed),
          created_by: member.userId,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await tx
        .insertInto("agent_versions")
        .values({
          tenant_id: member.tenantId,
          agent_id: agent.id,
          version: 1,
          spec: JSON.stringify(parsed),
          template: parsed.template,
          created_by: member.userId,
        })
        .execute();
      await tx
        .updateTable("agents")
        .set({ status: "published", current_version: 1, updated_by: member.userId })
        .where("id", "=", agent.id)
        .execute();
      return agent.id;
    },
    { tenantId: member.tenantId },
  );
}

/** A queued run of the agent's version 1, its job queued in the same transaction (as agentRun.trigger). */
export async function triggerRun(
  db: Db,
  member: TestMember,
  agentId: string,
  input: Record<string, unknown>,
  retryOf: string | null = null,
): Promise<string> {
  return withRlsTx(
    db,
    claimsFor(member.userId),
    async (tx) => {
      const run = await tx
        .insertInto("agent_runs")
        .values({
          tenant_id: member.tenantId,
          agent_id: agentId,
          agent_version: 1,
          input: JSON.stringify(input),
          created_by: member.userId,
          retry_of: retryOf,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await emitEvent(tx, {
        type: "agent_run.queued",
        tenantId: member.tenantId,
        userId: member.userId,
        subject: run.id,
        data: { runId: run.id, agentId, status: "queued" },
      });
      await sql`select private.enqueue_agent_run_job(${run.id}::uuid)`.execute(tx);
      return run.id;
    },
    { tenantId: member.tenantId },
  );
}

/** The member asks to cancel (the only column of a run a member may change). */
export async function requestCancel(db: Db, member: TestMember, runId: string): Promise<void> {
  await withRlsTx(
    db,
    claimsFor(member.userId),
    (tx) =>
      tx.updateTable("agent_runs").set({ cancel_requested_at: new Date() }).where("id", "=", runId).execute(),
    { tenantId: member.tenantId },
  );
}

export async function decideApproval(
  db: Db,
  member: TestMember,
  runId: string,
  approve: boolean,
  note: string,
): Promise<void> {
  await withRlsTx(
    db,
    claimsFor(member.userId),
    (tx) => sql`select private.decide_agent_approval(${runId}::uuid, ${approve}, ${note})`.execute(tx),
    { tenantId: member.tenantId },
  );
}

export async function runRow(db: Db, runId: string): Promise<AgentRunRow> {
  return db.kysely.selectFrom("agent_runs").selectAll().where("id", "=", runId).executeTakeFirstOrThrow();
}

/** Polls until `check` holds; the test's own timeout bounds the wait. */
export function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 600_000,
): Promise<T> {
  return waitUntil(check, { what, timeoutMs, intervalMs: 100 });
}

/** Resolves with the run once it reaches one of `statuses`. */
export function runReaches(db: Db, runId: string, statuses: AgentRunRow["status"][]): Promise<AgentRunRow> {
  return eventually(
    async () => {
      const run = await runRow(db, runId);
      return statuses.includes(run.status) ? run : null;
    },
    `run ${runId} to reach ${statuses.join(" or ")}`,
  );
}

/** The types of the run's events, in order. */
export async function runEventTypes(db: Db, runId: string): Promise<string[]> {
  const rows = await db.kysely
    .selectFrom("events")
    .select("type")
    .where("subject", "=", runId)
    .orderBy("id")
    .execute();
  return rows.map((row) => row.type);
}
