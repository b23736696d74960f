import { TriggerFilter, TriggerInputMap } from "@techscaniq/contracts/agents";
import type { Database, Selectable, Transaction } from "@techscaniq/db";
import type { z } from "zod";
import { DomainError } from "../../errors";
import { afterCursor, keysetPage } from "../keyset";
import type { ScanActor } from "../scans/service";
import { findAgent } from "./agents";
import type {
  AgentTriggerView,
  createTriggerInput,
  listFiringsInput,
  updateTriggerInput,
} from "./triggers.schemas";

type Tx = Transaction<Database>;
type TriggerRow = Selectable<Database["agent_triggers"]>;
type FiringRow = Selectable<Database["agent_trigger_firings"]>;

/**
 * Event triggers of a tenant's agents. The worker starts the runs (apps/worker agent.trigger_event);
 * here members create, change and remove triggers and read what each did.
 */

function toTriggerView(row: TriggerRow): AgentTriggerView {
  return {
    id: row.id,
    agentId: row.agent_id,
    eventType: row.event_type,
    // Rows written around the API (PostgREST) may not parse; the worker skips them, the view empties them.
    filter: TriggerFilter.safeParse(row.filter).data ?? [],
    input: row.input as Record<string, unknown>,
    inputMap: TriggerInputMap.safeParse(row.input_map).data ?? {},
    enabled: row.enabled,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const toFiringView = (row: FiringRow) => ({
  id: row.id,
  eventId: row.event_id,
  runId: row.run_id,
  depth: row.depth,
  skippedReason: row.skipped_reason,
  createdAt: row.created_at.toISOString(),
});

async function findTrigger(tx: Tx, actor: ScanActor, triggerId: string, { forUpdate = false } = {}) {
  let query = tx
    .selectFrom("agent_triggers")
    .selectAll()
    .where("id", "=", triggerId)
    .where("tenant_id", "=", actor.tenantId);
  if (forUpdate) query = query.forUpdate();
  const trigger = await query.executeTakeFirst();
  if (!trigger) throw new DomainError("NOT_FOUND", `Agent trigger ${triggerId} was not found in this tenant`);
  return trigger;
}

export async function createTrigger(
  tx: Tx,
  actor: ScanActor,
  input: z.output<typeof createTriggerInput>,
): Promise<AgentTriggerView> {
  const agent = await findAgent(tx, actor, input.agentId);
  const row = await tx
    .insertInto("agent_triggers")
    .values({
      tenant_id: agent.tenant_id,
      agent_id: agent.id,
      event_type: input.eventType,
      filter: JSON.stringify(input.filter),
      input: JSON.stringify(input.input),
      input_map: JSON.stringify(input.inputMap),
      enabled: input.enabled,
      created_by: actor.userId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toTriggerView(row);
}

export async function listTriggers(tx: Tx, actor: ScanActor, agentId?: string): Promise<AgentTriggerView[]> {
  let query = tx
    .selectFrom("agent_triggers")
    .selectAll()
    .where("tenant_id", "=", actor.tenantId)
    .orderBy("created_at")
    .orderBy("id");
  if (agentId) query = query.where("agent_id", "=", (await findAgent(tx, actor, agentId)).id);
  return (await query.execute()).map(toTriggerView);
}

export async function getTrigger(tx: Tx, actor: ScanActor, triggerId: string): Promise<AgentTriggerView> {
  return toTriggerView(await findTrigger(tx, actor, triggerId));
}

export async function updateTrigger(
  tx: Tx,
  actor: ScanActor,
  input: z.output<typeof updateTriggerInput>,
): Promise<AgentTriggerView> {
  const trigger = await findTrigger(tx, actor, input.triggerId, { forUpdate: true });
  const row = await tx
    .updateTable("agent_triggers")
    .set({
      ...(input.eventType !== undefined ? { event_type: input.eventType } : {}),
      ...(input.filter !== undefined ? { filter: JSON.stringify(input.filter) } : {}),
      ...(input.input !== undefined ? { input: JSON.stringify(input.input) } : {}),
      ...(input.inputMap !== undefined ? { input_map: JSON.stringify(input.inputMap) } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    })
    .where("id", "=", trigger.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toTriggerView(row);
}

export async function deleteTrigger(tx: Tx, actor: ScanActor, triggerId: string): Promise<void> {
  const trigger = await findTrigger(tx, actor, triggerId);
  await tx.deleteFrom("agent_triggers").where("id", "=", trigger.id).execute();
}

export async function listFirings(tx: Tx, actor: ScanActor, input: z.output<typeof listFiringsInput>) {
  const trigger = await findTrigger(tx, actor, input.triggerId);
  let query = tx
    .selectFrom("agent_trigger_firings")
    .selectAll()
    .where("tenant_id", "=", trigger.tenant_id)
    .where("trigger_id", "=", trigger.id)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(input.limit + 1);
  if (input.cursor) query = query.where(afterCursor(input.cursor, "agentTrigger.firings"));
  return keysetPage(await query.execute(), input.limit, toFiringView);
}
