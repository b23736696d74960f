import { endpointSecretContext } from "@techscaniq/contracts/integrations";
import { sql, type Database, type Selectable, type Transaction } from "@techscaniq/db";
import type { WebhookEndpoints } from "@techscaniq/db/schema";
import type { z } from "zod";
import { DomainError } from "../../errors";
import type { ScanActor } from "../scans/service";
import { newWebhookSecret, urlRefusal, type ConnectionDeps } from "./connections";
import type { addEndpointInput, EndpointView, setEndpointEnabledInput } from "./integrations.schemas";

type Tx = Transaction<Database>;
type EndpointRow = Omit<Selectable<WebhookEndpoints>, "secret_ciphertext" | "previous_secret_ciphertext">;

/** After a rotation the previous secret keeps signing this long, so receivers can switch over. */
export const PREVIOUS_SECRET_VALID_MS = 24 * 3600e3;

const ENDPOINT_COLUMNS = [
  "id",
  "tenant_id",
  "url",
  "description",
  "event_types",
  "secret_last4",
  "previous_secret_expires_at",
  "enabled",
  "disabled_reason",
  "disabled_at",
  "created_by",
  "created_at",
  "updated_at",
] as const;

export function toEndpointView(row: EndpointRow): EndpointView {
  const previousValid = row.previous_secret_expires_at && row.previous_secret_expires_at > new Date();
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    secret: { last4: row.secret_last4 },
    previousSecretExpiresAt: previousValid ? row.previous_secret_expires_at!.toISOString() : null,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function listEndpoints(tx: Tx, actor: ScanActor): Promise<EndpointView[]> {
  const rows = await tx
    .selectFrom("webhook_endpoints")
    .select(ENDPOINT_COLUMNS)
    .where("tenant_id", "=", actor.tenantId)
    .orderBy("created_at")
    .execute();
  return rows.map(toEndpointView);
}

async function findEndpoint(tx: Tx, actor: ScanActor, endpointId: string): Promise<EndpointRow> {
  const row = await tx
    .selectFrom("webhook_endpoints")
    .select(ENDPOINT_COLUMNS)
    .where("tenant_id", "=", actor.tenantId)
    .where("id", "=", endpointId)
    .executeTakeFirst();
  if (!row) throw new DomainError("NOT_FOUND", `Webhook endpoint ${endpointId} was not found in this tenant`);
  return row;
}

export async function addEndpoint(
  tx: Tx,
  actor: ScanActor,
  input: z.output<typeof addEndpointInput>,
  deps: ConnectionDeps,
): Promise<{ endpoint: EndpointView; secret: string }> {
  const refusal = urlRefusal(input.url, deps.allowPrivate);
  if (refusal) throw new DomainError("BAD_REQUEST", `url: ${refusal}`, { url: [refusal] });
  const id = crypto.randomUUID();
  const secret = newWebhookSecret();
  const row = await tx
    .insertInto("webhook_endpoints")
    .values({
      id,
      tenant_id: actor.tenantId,
      url: input.url,
      description: input.description,
      event_types: input.eventTypes,
      secret_ciphertext: deps.box.seal(secret, endpointSecretContext(actor.tenantId, id)),
      secret_last4: secret.slice(-4),
      created_by: actor.userId,
    })
    .returning(ENDPOINT_COLUMNS)
    .executeTakeFirstOrThrow();
  return { endpoint: toEndpointView(row), secret };
}

/**
 * A new signing secret; the current one becomes the previous and keeps signing for 24 h (each
 * delivery carries both signatures), so a receiver switches without losing a message.
 */
export async function rotateEndpointSecret(
  tx: Tx,
  actor: ScanActor,
  endpointId: string,
  deps: ConnectionDeps,
): Promise<{ endpoint: EndpointView; secret: string }> {
  await findEndpoint(tx, actor, endpointId);
  const secret = newWebhookSecret();
  const sealed = deps.box.seal(secret, endpointSecretContext(actor.tenantId, endpointId));
  await sql`select private.rotate_webhook_secret(${endpointId}::uuid, ${sealed}, ${secret.slice(-4)},
              ${`${PREVIOUS_SECRET_VALID_MS / 1000} seconds`}::interval)`.execute(tx);
  const row = await findEndpoint(tx, actor, endpointId);
  return { endpoint: toEndpointView(row), secret };
}

/** Turns an endpoint off, or on again (after a 410 disabled it and the receiver is back). */
export async function setEndpointEnabled(
  tx: Tx,
  actor: ScanActor,
  input: z.output<typeof setEndpointEnabledInput>,
): Promise<EndpointView> {
  await findEndpoint(tx, actor, input.endpointId);
  const row = await tx
    .updateTable("webhook_endpoints")
    .set(
      input.enabled
        ? { enabled: true, disabled_reason: null }
        : { enabled: false, disabled_reason: "disabled by an admin", disabled_at: new Date() },
    )
    .where("tenant_id", "=", actor.tenantId)
    .where("id", "=", input.endpointId)
    .returning(ENDPOINT_COLUMNS)
    .executeTakeFirstOrThrow();
  return toEndpointView(row);
}

export async function deleteEndpoint(tx: Tx, actor: ScanActor, endpointId: string): Promise<void> {
  await findEndpoint(tx, actor, endpointId);
  await tx
    .deleteFrom("webhook_endpoints")
    .where("tenant_id", "=", actor.tenantId)
    .where("id", "=", endpointId)
    .execute();
}
