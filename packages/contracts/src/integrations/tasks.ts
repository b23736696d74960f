import { z } from "zod";

/**
 * The integration worker tasks. Their job keys are the delivery's idempotency key: one per intended
 * action (`action:<agentRunId>:<stepSeq>`, `webhook:<endpointId>:<eventId>`), so a retried agent step
 * or a re-queued event never sends twice while the first job is pending.
 */

export const INTEGRATION_DELIVER_TASK = "integration.deliver";

const ReplayRequestedBy = z.uuid().nullable().optional();

export const WebhookDeliveryPayload = z
  .object({
    kind: z.literal("webhook"),
    endpointId: z.uuid({ error: "endpointId must be a webhook endpoint id (uuid)" }),
    eventId: z.union([z.number().int().positive(), z.string().regex(/^[1-9][0-9]{0,18}$/)]).transform(String),
    /** Set by a manual replay (the member who asked; null for the service role). */
    replayRequestedBy: ReplayRequestedBy,
  })
  .strict();

export const ActionDeliveryPayload = z
  .object({
    kind: z.literal("action"),
    connectionId: z.uuid({ error: "connectionId must be a connection id (uuid)" }),
    /** The catalog action, e.g. `post` of the connection's provider. */
    action: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, "action must be an action name of the provider"),
    /** The action's input, parsed with the catalog's schema by the worker. */
    input: z.record(z.string(), z.unknown()),
    idempotencyKey: z.string().min(1).max(200),
    agentRunId: z.uuid().optional(),
    agentStepSeq: z.number().int().min(1).optional(),
    replayRequestedBy: ReplayRequestedBy,
  })
  .strict();

export const IntegrationDeliverPayload = z.discriminatedUnion("kind", [
  WebhookDeliveryPayload,
  ActionDeliveryPayload,
]);
export type IntegrationDeliverPayload = z.output<typeof IntegrationDeliverPayload>;

/** The job key of an agent step's action: a retried step finds the job (and its deliveries) it queued. */
export const agentActionKey = (agentRunId: string, stepSeq: number) => `action:${agentRunId}:${stepSeq}`;
export const webhookDeliveryKey = (endpointId: string, eventId: string) => `webhook:${endpointId}:${eventId}`;

/** Makes the authenticated test read of a connection and answers with integration.connection_tested. */
export const INTEGRATION_TEST_CONNECTION_TASK = "integration.test_connection";
export const IntegrationTestConnectionPayload = z
  .object({
    connectionId: z.uuid({ error: "connectionId must be a connection id (uuid)" }),
    requestId: z.uuid({ error: "requestId must be a uuid" }),
  })
  .strict();

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace GraphileWorker {
    interface Tasks {
      "integration.deliver": z.input<typeof IntegrationDeliverPayload>;
      "integration.test_connection": z.input<typeof IntegrationTestConnectionPayload>;
    }
  }
}
