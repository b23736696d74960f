import { z } from "zod";

/**
 * Event types a webhook endpoint may subscribe to: what a tenant's own systems can act on. Each
 * delivery's body is `{ type, timestamp, data }` (Standard Webhooks), `data` being the event's data
 * and its `subject`.
 */
export const WEBHOOK_EVENT_TYPES = [
  "scan.queued",
  "scan.started",
  "scan.completed",
  "scan.failed",
  "scan.cancelled",
  "report.version_created",
  "report.failed",
  "agent_run.succeeded",
  "agent_run.failed",
  "agent_run.waiting_approval",
  "agent_run.budget_exceeded",
  "agent_run.cancelled",
  "webhook.endpoint_disabled",
] as const;
export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES, {
  error: (issue) =>
    `unknown event type ${JSON.stringify(issue.input)}; types: ${WEBHOOK_EVENT_TYPES.join(", ")}`,
});
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** The worker's answer to integration.test (subject: the request id). */
export const CONNECTION_TESTED_EVENT = "integration.connection_tested";
export const ConnectionTestResult = z.object({
  ok: z.boolean(),
  latencyMs: z.number().int().min(0),
  error: z.string().nullable(),
});
export type ConnectionTestResult = z.infer<typeof ConnectionTestResult>;

/** Raised when a receiver answered 410 Gone (or repeated failure ended an endpoint): for alerts. */
export const ENDPOINT_DISABLED_EVENT = "webhook.endpoint_disabled";

export const DELIVERY_STATES = ["sending", "succeeded", "retrying", "failed"] as const;
export const DeliveryState = z.enum(DELIVERY_STATES);
export type DeliveryState = z.infer<typeof DeliveryState>;
