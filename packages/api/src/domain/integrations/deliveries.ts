import { sql, type Database, type Selectable, type Transaction } from "@techscaniq/db";
import type { IntegrationDeliveries } from "@techscaniq/db/schema";
import type { z } from "zod";
import { DomainError } from "../../errors";
import { afterCursor, keysetPage } from "../keyset";
import type { ScanActor } from "../scans/service";
import type {
  deliverySchema,
  DeliveryHealth,
  integrationStatusSchema,
  listDeliveriesInput,
} from "./integrations.schemas";
import { listConnections } from "./connections";
import { listEndpoints } from "./webhooks";

type Tx = Transaction<Database>;
type DeliveryRow = Selectable<IntegrationDeliveries>;

/** integration.status counts deliveries of this many hours. */
const HEALTH_WINDOW_HOURS = 24;

function toDeliveryView(row: DeliveryRow): z.infer<typeof deliverySchema> {
  return {
    id: row.id,
    connectionId: row.connection_id,
    endpointId: row.endpoint_id,
    agentRunId: row.agent_run_id,
    agentStepSeq: row.agent_step_seq,
    eventId: row.event_id,
    action: row.action,
    idempotencyKey: row.idempotency_key,
    attempt: row.attempt,
    state: row.state,
    request: row.request as Record<string, unknown>,
    responseStatus: row.response_status,
    responseExcerpt: row.response_excerpt,
    externalId: row.external_id,
    latencyMs: row.latency_ms,
    error: row.error,
    nextRetryAt: row.next_retry_at?.toISOString() ?? null,
    requestedBy: row.requested_by,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

/** Newest first, one page; optionally of one connection, endpoint or agent run (or only webhook ones). */
export async function listDeliveries(
  tx: Tx,
  actor: ScanActor,
  input: z.output<typeof listDeliveriesInput> & { webhooksOnly?: boolean },
  procedure: string,
) {
  let query = tx
    .selectFrom("integration_deliveries")
    .selectAll()
    .where("tenant_id", "=", actor.tenantId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(input.limit + 1);
  if (input.connectionId) query = query.where("connection_id", "=", input.connectionId);
  if (input.endpointId) query = query.where("endpoint_id", "=", input.endpointId);
  if (input.agentRunId) query = query.where("agent_run_id", "=", input.agentRunId);
  if (input.webhooksOnly) query = query.where("endpoint_id", "is not", null);
  if (input.cursor) query = query.where(afterCursor(input.cursor, procedure));
  return keysetPage(await query.execute(), input.limit, toDeliveryView);
}

/** A new attempt of the delivery's action, now, with the same idempotency key (and webhook-id). */
export async function replayDelivery(
  tx: Tx,
  actor: ScanActor,
  deliveryId: string,
): Promise<{ queued: true }> {
  const delivery = await tx
    .selectFrom("integration_deliveries")
    .select("id")
    .where("tenant_id", "=", actor.tenantId)
    .where("id", "=", deliveryId)
    .executeTakeFirst();
  if (!delivery) throw new DomainError("NOT_FOUND", `Delivery ${deliveryId} was not found in this tenant`);
  await sql`select private.replay_integration_delivery(${deliveryId}::uuid)`
    .execute(tx)
    .catch((error: { code?: string; message: string }) => {
      if (error.code === "42501") throw new DomainError("FORBIDDEN", "Members and admins replay deliveries");
      if (error.code === "55000") throw new DomainError("PRECONDITION_FAILED", error.message);
      throw error;
    });
  return { queued: true };
}

/** Last checks of every connection and the delivery health of each connection and endpoint. */
export async function integrationStatus(
  tx: Tx,
  actor: ScanActor,
): Promise<z.infer<typeof integrationStatusSchema>> {
  const since = new Date(Date.now() - HEALTH_WINDOW_HOURS * 3600e3);
  const counts = await tx
    .selectFrom("integration_deliveries")
    .select((eb) => [
      "connection_id",
      "endpoint_id",
      eb.fn.countAll<string>().filterWhere("state", "=", "succeeded").as("succeeded"),
      eb.fn.countAll<string>().filterWhere("state", "=", "failed").as("failed"),
      eb.fn.countAll<string>().filterWhere("state", "=", "retrying").as("retrying"),
      eb.fn.max("created_at").as("last"),
    ])
    .where("tenant_id", "=", actor.tenantId)
    .where("created_at", ">=", since)
    .groupBy(["connection_id", "endpoint_id"])
    .execute();
  const health = (match: (row: (typeof counts)[number]) => boolean): DeliveryHealth => {
    const row = counts.find(match);
    return {
      succeeded: Number(row?.succeeded ?? 0),
      failed: Number(row?.failed ?? 0),
      retrying: Number(row?.retrying ?? 0),
      lastDeliveryAt: row?.last ? new Date(row.last).toISOString() : null,
    };
  };
  const [connections, endpoints] = [await listConnections(tx, actor), await listEndpoints(tx, actor)];
  return {
    windowHours: HEALTH_WINDOW_HOURS,
    connections: connections.map((c) => ({
      id: c.id,
      name: c.name,
      provider: c.provider,
      status: c.status,
      lastCheckedAt: c.lastCheckedAt,
      lastCheckOk: c.lastCheckOk,
      lastError: c.lastError,
      deliveries: health((row) => row.connection_id === c.id),
    })),
    endpoints: endpoints.map((e) => ({
      id: e.id,
      url: e.url,
      enabled: e.enabled,
      disabledReason: e.disabledReason,
      deliveries: health((row) => row.endpoint_id === e.id),
    })),
  };
}
