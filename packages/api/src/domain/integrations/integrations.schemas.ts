import {
  ConnectionTestResult,
  DeliveryState,
  IntegrationProviderName,
  WebhookEventType,
} from "@techscaniq/contracts/integrations";
import { z } from "zod";
import { idSchema, isoDateTime, pageOutput } from "../../schemas";

/** Inputs and outputs of the integration and webhook routers. Secrets go in, never out. */

const connectionName = z.string().trim().min(1, "must not be empty").max(100);
const fieldValues = z.record(z.string(), z.string().max(4096)).default({});

export const catalogSchema = z.array(
  z.object({
    provider: IntegrationProviderName,
    title: z.string(),
    fields: z.array(
      z.object({
        name: z.string(),
        label: z.string(),
        secret: z.boolean(),
        required: z.boolean(),
        help: z.string().optional(),
      }),
    ),
    testDescription: z.string(),
    actions: z.array(z.object({ name: z.string(), title: z.string(), description: z.string() })),
  }),
);

export const createConnectionInput = z.strictObject({
  provider: IntegrationProviderName,
  name: connectionName,
  /** Non-secret fields of the provider's catalog entry. */
  config: fieldValues,
  /** Secret fields; for a webhook connection the signing secret is generated when none is given. */
  credentials: fieldValues,
});

export const updateConnectionInput = z.strictObject({
  connectionId: idSchema("a connection"),
  name: connectionName.optional(),
  config: z.record(z.string(), z.string().max(4096)).optional(),
  /** Replaces every stored credential when given. */
  credentials: z.record(z.string(), z.string().max(4096)).optional(),
});

export const connectionRefInput = z.strictObject({ connectionId: idSchema("a connection") });

export const connectionSchema = z.object({
  id: z.uuid(),
  provider: IntegrationProviderName,
  name: z.string(),
  config: z.record(z.string(), z.unknown()),
  /** Credentials are write-only: whether they are set and the last 4 characters of the main secret. */
  credentials: z.object({ set: z.boolean(), last4: z.string().nullable() }),
  status: z.enum(["untested", "ok", "failing"]),
  lastCheckedAt: isoDateTime.nullable(),
  lastCheckOk: z.boolean().nullable(),
  lastCheckLatencyMs: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type ConnectionView = z.infer<typeof connectionSchema>;

export const createdConnectionSchema = z.object({
  connection: connectionSchema,
  /** Only for a webhook connection whose secret was generated: shown this once. */
  signingSecret: z.string().nullable(),
});

export const connectionTestSchema = ConnectionTestResult;

const deliveryHealth = z.object({
  succeeded: z.number().int(),
  failed: z.number().int(),
  retrying: z.number().int(),
  lastDeliveryAt: isoDateTime.nullable(),
});
export type DeliveryHealth = z.infer<typeof deliveryHealth>;

export const integrationStatusSchema = z.object({
  /** Delivery counts cover this many hours. */
  windowHours: z.number().int(),
  connections: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      provider: IntegrationProviderName,
      status: z.enum(["untested", "ok", "failing"]),
      lastCheckedAt: isoDateTime.nullable(),
      lastCheckOk: z.boolean().nullable(),
      lastError: z.string().nullable(),
      deliveries: deliveryHealth,
    }),
  ),
  endpoints: z.array(
    z.object({
      id: z.uuid(),
      url: z.string(),
      enabled: z.boolean(),
      disabledReason: z.string().nullable(),
      deliveries: deliveryHealth,
    }),
  ),
});

export const listDeliveriesInput = z.strictObject({
  connectionId: idSchema("a connection").optional(),
  endpointId: idSchema("a webhook endpoint").optional(),
  agentRunId: idSchema("an agent run").optional(),
  limit: z.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
});

export const deliverySchema = z.object({
  id: z.uuid(),
  connectionId: z.uuid().nullable(),
  endpointId: z.uuid().nullable(),
  agentRunId: z.uuid().nullable(),
  agentStepSeq: z.number().int().nullable(),
  eventId: z.string().nullable(),
  action: z.string(),
  idempotencyKey: z.string(),
  attempt: z.number().int(),
  state: DeliveryState,
  /** What was sent, without secrets (no Authorization, no signature). */
  request: z.record(z.string(), z.unknown()),
  responseStatus: z.number().int().nullable(),
  responseExcerpt: z.string().nullable(),
  externalId: z.string().nullable(),
  latencyMs: z.number().int().nullable(),
  error: z.string().nullable(),
  nextRetryAt: isoDateTime.nullable(),
  requestedBy: z.uuid().nullable(),
  createdAt: isoDateTime,
  finishedAt: isoDateTime.nullable(),
});
export const deliveryPageSchema = pageOutput(deliverySchema);

export const deliveryRefInput = z.strictObject({ deliveryId: idSchema("a delivery") });
export const replayedSchema = z.object({ queued: z.literal(true) });

export const addEndpointInput = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: "must be an absolute http(s) URL" })
    .max(2048, "must be at most 2048 characters"),
  eventTypes: z
    .array(WebhookEventType)
    .min(1, "subscribe to at least one event type")
    .max(50)
    .refine((types) => new Set(types).size === types.length, "lists an event type twice"),
  description: z.string().trim().max(500).default(""),
});

export const endpointRefInput = z.strictObject({ endpointId: idSchema("a webhook endpoint") });
export const setEndpointEnabledInput = z.strictObject({
  endpointId: idSchema("a webhook endpoint"),
  enabled: z.boolean(),
});

export const endpointSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  description: z.string(),
  eventTypes: z.array(z.string()),
  secret: z.object({ last4: z.string() }),
  /** After a rotation: until when the previous secret still signs. */
  previousSecretExpiresAt: isoDateTime.nullable(),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  disabledAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type EndpointView = z.infer<typeof endpointSchema>;

/** The signing secret is returned once, when it is made (add, rotate). */
export const endpointWithSecretSchema = z.object({ endpoint: endpointSchema, secret: z.string() });
export const deletedSchema = z.object({ deleted: z.literal(true) });
