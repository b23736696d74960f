import { randomBytes } from "node:crypto";
import {
  connectionSecretContext,
  endpointSecretContext,
  type WebhookEventType,
} from "@techscaniq/contracts/integrations";
import { withServiceTx, type Db } from "@techscaniq/db";
import { loadDbEnv } from "@techscaniq/db/env";
import { loadSecretBox } from "@techscaniq/db/secrets";

/** Test-only: what the API's integration procedures store, done with the service role. */

export const newWebhookSecret = () => `whsec_${randomBytes(24).toString("base64")}`;

export async function createWebhookEndpoint(
  db: Db,
  tenantId: string,
  url: string,
  eventTypes: WebhookEventType[],
): Promise<{ id: string; secret: string }> {
  const box = await loadSecretBox(loadDbEnv());
  const secret = newWebhookSecret();
  const id = crypto.randomUUID();
  await withServiceTx(db, (tx) =>
    tx
      .insertInto("webhook_endpoints")
      .values({
        id,
        tenant_id: tenantId,
        url,
        event_types: eventTypes,
        secret_ciphertext: box.seal(secret, endpointSecretContext(tenantId, id)),
        secret_last4: secret.slice(-4),
      })
      .execute(),
  );
  return { id, secret };
}

export async function createWebhookConnection(
  db: Db,
  tenantId: string,
  url: string,
  name = "receiver",
): Promise<{ id: string; secret: string }> {
  const box = await loadSecretBox(loadDbEnv());
  const secret = newWebhookSecret();
  const id = crypto.randomUUID();
  await withServiceTx(db, (tx) =>
    tx
      .insertInto("integration_connections")
      .values({
        id,
        tenant_id: tenantId,
        provider: "webhook",
        name,
        config: JSON.stringify({ url }),
        credentials_ciphertext: box.seal(JSON.stringify({ secret }), connectionSecretContext(tenantId, id)),
        credentials_last4: secret.slice(-4),
      })
      .execute(),
  );
  return { id, secret };
}
