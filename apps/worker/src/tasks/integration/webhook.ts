import { createHash, createHmac } from "node:crypto";
import { STATUS_CODES } from "node:http";
import type {
  IntegrationContext,
  IntegrationProvider,
  ProviderOutcome,
} from "@techscaniq/contracts/integrations";
import { retryAfterTime } from "@techscaniq/integrations";

/**
 * Standard Webhooks (https://www.standardwebhooks.com): every message carries `webhook-id` (the same
 * for every attempt of one message), `webhook-timestamp` (seconds, this attempt) and
 * `webhook-signature`: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the base64 part of
 * the `whsec_` secret, one per valid secret separated by spaces (during a rotation both verify).
 */

const SECRET_PREFIX = "whsec_";
/** Bodies and answers kept on the delivery row: enough to see what happened. */
const REQUEST_BODY_KEPT = 4000;
const RESPONSE_KEPT = 500;

export function webhookSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

/** Statuses whose Retry-After a webhook receiver is taken at: rate limited, or a gateway saying when. */
const RETRY_AFTER_STATUSES = new Set([429, 502, 503, 504]);

/** The message id of an intended action: stable across attempts and replays, opaque to receivers. */
export const webhookMessageId = (idempotencyKey: string) =>
  `msg_${createHash("sha256").update(idempotencyKey).digest("base64url").slice(0, 27)}`;

/** "HTTP 401 Unauthorized: <the start of the answer>": the receiver's reason, as it gave it. */
export function httpSummary(status: number, body: string): string {
  const reason = body.trim().replace(/\s+/g, " ").slice(0, 200);
  return `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ""}${reason ? `: ${reason}` : ""}`;
}

export interface SignedWebhook {
  url: string;
  /** Current secret first; a rotated-out secret still within its 24 h signs too. */
  secrets: readonly string[];
  type: string;
  /** When the event happened (the body's timestamp), as opposed to this attempt's header timestamp. */
  occurredAt: Date;
  data: Record<string, unknown>;
}

/** POSTs one signed message and reports the answer as the framework classifies it. */
export async function sendSignedWebhook(
  context: IntegrationContext,
  message: SignedWebhook,
): Promise<ProviderOutcome> {
  const id = webhookMessageId(context.idempotencyKey);
  const timestamp = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    type: message.type,
    timestamp: message.occurredAt.toISOString(),
    data: message.data,
  });
  const visible = {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
  };
  const request = {
    method: "POST",
    url: message.url,
    headers: visible,
    body: body.slice(0, REQUEST_BODY_KEPT),
  };
  const signature = message.secrets.map((secret) => webhookSignature(secret, id, timestamp, body)).join(" ");
  const response = await context.fetch(message.url, {
    method: "POST",
    headers: { ...visible, "webhook-signature": signature },
    body,
    signal: context.signal,
  });
  const text = await response.text().catch(() => "");
  const now = new Date();
  const retryAt = RETRY_AFTER_STATUSES.has(response.status)
    ? retryAfterTime(response.headers.get("retry-after"), now)
    : null;
  return {
    status: response.status,
    summary: httpSummary(response.status, text),
    request,
    responseExcerpt: text.slice(0, RESPONSE_KEPT),
    ...(retryAt ? { retryAfterMs: retryAt.getTime() - now.getTime() } : {}),
  };
}

/** The `webhook` connection: agent actions POSTed to one URL, and a signed ping as its test. */
export const webhookProvider: IntegrationProvider<"webhook"> = {
  provider: "webhook",
  actions: {
    post: (context, connection, payload) =>
      sendSignedWebhook(context, {
        url: connection.config.url,
        secrets: [connection.credentials.secret],
        type: "action.proposed",
        occurredAt: new Date(),
        data: { connection: connection.name, ...payload },
      }),
  },
  testConnection: (context, connection) =>
    sendSignedWebhook(context, {
      url: connection.config.url,
      secrets: [connection.credentials.secret],
      type: "webhook.ping",
      occurredAt: new Date(),
      data: { connection: connection.name },
    }),
};
