import {
  connectionSecretContext,
  endpointSecretContext,
  ENDPOINT_DISABLED_EVENT,
  INTEGRATION_CATALOG,
  INTEGRATION_DELIVER_TASK,
  webhookDeliveryKey,
  type IntegrationConnectionOf,
  type IntegrationContext,
  type IntegrationDeliverPayload,
  type IntegrationFetch,
  type IntegrationProviderName,
  type IntegrationRegistry,
  type ProviderOutcome,
} from "@techscaniq/contracts/integrations";
import { emitEvent, sql, withServiceTx, type Db, type Selectable, type Transaction } from "@techscaniq/db";
import type { Database, IntegrationDeliveries } from "@techscaniq/db/schema";
import type { SecretBox } from "@techscaniq/db/secrets";
import { IntegrationRequestError } from "./fetch";
import { sendSignedWebhook } from "./webhook";

/**
 * integration.deliver: one attempt of one intended action (a webhook event to an endpoint, an action
 * through a connection), recorded as a delivery row before anything is sent and finished with the
 * answer. Failures are retried by queueing the same job key again at the next time of the Standard
 * Webhooks schedule, so the attempt count, the message id and the history live in the table.
 */

/** Waits before attempts 2, 3, …: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (the first goes at once). */
export const RETRY_DELAYS_MS = [5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6] as const;
/** Each wait is stretched or shortened by up to this share, so retries of many deliveries spread out. */
const JITTER = 0.1;
/** A receiver's Retry-After is honoured up to a day. */
const MAX_RETRY_AFTER_MS = 24 * 3600e3;
const ERROR_KEPT = 2000;

export interface DeliverySettings {
  db: Db;
  secretBox: () => Promise<SecretBox>;
  registry: IntegrationRegistry;
  fetch: IntegrationFetch;
  /** 0 ≤ x < 1, for the jitter (tests pin it). */
  random?: () => number;
}

type Delivery = Selectable<IntegrationDeliveries>;

/**
 * When the attempt after `attempt` should run, or null when the schedule is used up. A provider's
 * asked-for wait (a webhook's Retry-After, GitHub's rate-limit reset on a 403) is honoured whatever
 * the status: each provider decides which answers carry one.
 */
export function nextRetryDelayMs(
  attempt: number,
  outcome: Pick<ProviderOutcome, "retryAfterMs">,
  random: () => number = Math.random,
): number | null {
  const scheduled = RETRY_DELAYS_MS[attempt - 1];
  if (scheduled === undefined) return null;
  const jittered = Math.round(scheduled * (1 - JITTER + 2 * JITTER * random()));
  const asked = outcome.retryAfterMs === undefined ? 0 : Math.min(outcome.retryAfterMs, MAX_RETRY_AFTER_MS);
  return Math.max(jittered, asked);
}

/** What one attempt sends, resolved from the payload; null when its target or event is gone. */
interface Target {
  tenantId: string;
  idempotencyKey: string;
  action: string;
  columns: Partial<
    Pick<Delivery, "connection_id" | "endpoint_id" | "event_id" | "agent_run_id" | "agent_step_seq">
  >;
  send: (context: IntegrationContext) => Promise<ProviderOutcome>;
  /** A 410 Gone from a webhook endpoint disables it. */
  endpointId?: string;
}

async function webhookTarget(
  settings: DeliverySettings,
  payload: Extract<IntegrationDeliverPayload, { kind: "webhook" }>,
): Promise<Target | null> {
  const { db } = settings;
  const endpoint = await db.kysely
    .selectFrom("webhook_endpoints")
    .selectAll()
    .where("id", "=", payload.endpointId)
    .executeTakeFirst();
  if (!endpoint?.enabled) return null;
  const event = await db.kysely
    .selectFrom("events")
    .select(["id", "type", "subject", "data", "created_at"])
    .where("id", "=", payload.eventId)
    .where("tenant_id", "=", endpoint.tenant_id)
    .executeTakeFirst();
  if (!event) return null;
  const box = await settings.secretBox();
  const context = endpointSecretContext(endpoint.tenant_id, endpoint.id);
  const previousValid =
    endpoint.previous_secret_ciphertext &&
    endpoint.previous_secret_expires_at &&
    endpoint.previous_secret_expires_at > new Date();
  const secrets = [
    box.open(endpoint.secret_ciphertext, context),
    ...(previousValid ? [box.open(endpoint.previous_secret_ciphertext!, context)] : []),
  ];
  return {
    tenantId: endpoint.tenant_id,
    idempotencyKey: webhookDeliveryKey(endpoint.id, event.id),
    action: "webhook.event",
    columns: { endpoint_id: endpoint.id, event_id: event.id },
    endpointId: endpoint.id,
    send: (attempt) =>
      sendSignedWebhook(attempt, {
        url: endpoint.url,
        secrets,
        type: event.type,
        occurredAt: event.created_at,
        data: { ...(event.data as Record<string, unknown>), subject: event.subject },
      }),
  };
}

/** A connection with its config parsed and credentials opened, as providers receive it. */
export async function openConnection(
  settings: Pick<DeliverySettings, "db" | "secretBox">,
  connectionId: string,
): Promise<IntegrationConnectionOf<IntegrationProviderName> | null> {
  const row = await settings.db.kysely
    .selectFrom("integration_connections")
    .selectAll()
    .where("id", "=", connectionId)
    .executeTakeFirst();
  if (!row) return null;
  const definition = INTEGRATION_CATALOG[row.provider];
  const sealed = row.credentials_ciphertext;
  const credentials = sealed
    ? JSON.parse((await settings.secretBox()).open(sealed, connectionSecretContext(row.tenant_id, row.id)))
    : {};
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    provider: row.provider,
    config: definition.config.parse(row.config),
    credentials: definition.credentials.parse(credentials),
  } as IntegrationConnectionOf<IntegrationProviderName>;
}

/** The registry's implementation of `provider`, or a clear refusal when this worker has none. */
export function providerOf(registry: IntegrationRegistry, provider: IntegrationProviderName) {
  const implementation = registry[provider] as IntegrationRegistryEntry | undefined;
  if (!implementation)
    throw new IntegrationRequestError(`provider ${provider} is not available in this worker`, false);
  return implementation;
}
/** A registry entry with its provider's types erased, for dispatch by name. */
type IntegrationRegistryEntry = {
  actions: Record<
    string,
    (c: IntegrationContext, conn: unknown, payload: unknown) => Promise<ProviderOutcome>
  >;
  testConnection: (c: IntegrationContext, conn: unknown) => Promise<ProviderOutcome>;
};

async function actionTarget(
  settings: DeliverySettings,
  payload: Extract<IntegrationDeliverPayload, { kind: "action" }>,
): Promise<Target | null> {
  const connection = await openConnection(settings, payload.connectionId);
  if (!connection) return null;
  const actions: Record<string, { input: { parse(value: unknown): unknown } }> =
    INTEGRATION_CATALOG[connection.provider].actions;
  const definition = Object.hasOwn(actions, payload.action) ? actions[payload.action] : undefined;
  return {
    tenantId: connection.tenantId,
    idempotencyKey: payload.idempotencyKey,
    action: `${connection.provider}.${payload.action}`,
    columns: {
      connection_id: connection.id,
      agent_run_id: payload.agentRunId ?? null,
      agent_step_seq: payload.agentStepSeq ?? null,
    },
    send: async (context) => {
      if (!definition)
        throw new IntegrationRequestError(`${connection.provider} offers no action ${payload.action}`, false);
      const implementation = providerOf(settings.registry, connection.provider).actions[payload.action];
      if (!implementation)
        throw new IntegrationRequestError(
          `${connection.provider}.${payload.action} is not implemented`,
          false,
        );
      return implementation(context, connection, definition.input.parse(payload.input));
    },
  };
}

/** Runs one attempt; returns its delivery row, or null when nothing was (or is any longer) to send. */
export async function deliverOnce(
  settings: DeliverySettings,
  payload: IntegrationDeliverPayload,
  signal: AbortSignal,
): Promise<Delivery | null> {
  const { db } = settings;
  const target =
    payload.kind === "webhook"
      ? await webhookTarget(settings, payload)
      : await actionTarget(settings, payload);
  if (!target) return null;
  const replay = payload.replayRequestedBy !== undefined;

  const started = await withServiceTx(db, async (tx) => {
    const earlier = await tx
      .selectFrom("integration_deliveries")
      .select(["id", "attempt", "state"])
      .where("tenant_id", "=", target.tenantId)
      .where("idempotency_key", "=", target.idempotencyKey)
      .orderBy("attempt", "desc")
      .forUpdate()
      .execute();
    // Sent already: a re-queued job (a retried agent step, a re-delivered event) sends nothing more.
    if (!replay && earlier.some((row) => row.state === "succeeded")) return null;
    const unanswered = earlier.filter((row) => row.state === "sending");
    if (unanswered.length > 0)
      await tx
        .updateTable("integration_deliveries")
        .set({
          state: "failed",
          error: "the worker stopped before the answer was recorded",
          finished_at: new Date(),
        })
        .where(
          "id",
          "in",
          unanswered.map((row) => row.id),
        )
        .execute();
    const delivery = await tx
      .insertInto("integration_deliveries")
      .values({
        tenant_id: target.tenantId,
        ...target.columns,
        action: target.action,
        idempotency_key: target.idempotencyKey,
        attempt: (earlier[0]?.attempt ?? 0) + 1,
        requested_by: payload.replayRequestedBy ?? null,
        payload: JSON.stringify(payload),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { delivery, uncertain: unanswered.length > 0 };
  });
  if (!started) return null;
  const { delivery } = started;

  const begin = performance.now();
  let outcome: ProviderOutcome;
  let retryable = true;
  try {
    outcome = await target.send({
      fetch: settings.fetch,
      signal,
      idempotencyKey: target.idempotencyKey,
      attempt: delivery.attempt,
      earlierAttemptUncertain: started.uncertain,
    });
    if (outcome.retry === false) retryable = false;
  } catch (error) {
    if (!(error instanceof IntegrationRequestError) && signal.aborted) throw error;
    retryable = !(error instanceof IntegrationRequestError) || error.retry;
    outcome = { status: null, summary: error instanceof Error ? error.message : String(error) };
  }
  const latencyMs = Math.round(performance.now() - begin);
  return finishAttempt(settings, target, delivery, outcome, { latencyMs, retryable });
}

async function finishAttempt(
  settings: DeliverySettings,
  target: Target,
  delivery: Delivery,
  outcome: ProviderOutcome,
  { latencyMs, retryable }: { latencyMs: number; retryable: boolean },
): Promise<Delivery> {
  const ok = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
  const gone = outcome.status === 410;
  const delay =
    ok || gone || !retryable ? null : nextRetryDelayMs(delivery.attempt, outcome, settings.random);
  const now = new Date();
  const nextRetryAt = delay === null ? null : new Date(now.getTime() + delay);
  return withServiceTx(settings.db, async (tx) => {
    const finished = await tx
      .updateTable("integration_deliveries")
      .set({
        state: ok ? "succeeded" : nextRetryAt ? "retrying" : "failed",
        request: JSON.stringify(outcome.request ?? {}),
        response_status: outcome.status,
        response_excerpt: outcome.responseExcerpt?.slice(0, 1000) ?? null,
        external_id: outcome.externalId?.slice(0, 200) ?? null,
        latency_ms: latencyMs,
        error: ok ? null : outcome.summary.slice(0, ERROR_KEPT),
        next_retry_at: nextRetryAt,
        finished_at: now,
      })
      .where("id", "=", delivery.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (nextRetryAt) await queueRetry(tx, delivery, nextRetryAt);
    if (gone && target.endpointId) await disableEndpoint(tx, target.endpointId, delivery);
    return finished;
  });
}

/** The same job key again (replacing none: this attempt's job is running), to run at `runAt`. */
async function queueRetry(tx: Transaction<Database>, delivery: Delivery, runAt: Date) {
  const payload = { ...(delivery.payload as Record<string, unknown>) };
  delete payload.replayRequestedBy;
  await sql`select graphile_worker.add_job(
      identifier := ${INTEGRATION_DELIVER_TASK}, payload := ${JSON.stringify(payload)}::json,
      run_at := ${runAt}, max_attempts := 3, job_key := ${delivery.idempotency_key}, job_key_mode := 'replace')`.execute(
    tx,
  );
}

async function disableEndpoint(tx: Transaction<Database>, endpointId: string, delivery: Delivery) {
  const reason = `the receiver answered 410 Gone (delivery ${delivery.id}); enable it again once it accepts deliveries`;
  const endpoint = await tx
    .updateTable("webhook_endpoints")
    .set({ enabled: false, disabled_reason: reason, disabled_at: new Date() })
    .where("id", "=", endpointId)
    .where("enabled", "=", true)
    .returning(["id", "tenant_id", "url"])
    .executeTakeFirst();
  if (!endpoint) return;
  await emitEvent(tx, {
    type: ENDPOINT_DISABLED_EVENT,
    tenantId: endpoint.tenant_id,
    userId: null,
    subject: endpoint.id,
    data: { endpointId: endpoint.id, url: endpoint.url, reason, deliveryId: delivery.id },
  });
}
