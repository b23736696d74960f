/**
 * The provider registry the worker dispatches on: one entry per provider, each action a function of
 * (context, connection, payload). Implementations live outside contracts (the webhook provider in the
 * worker, the others in @techscaniq/integrations); TypeScript makes a registry cover every action the
 * catalog offers.
 */
import type { z } from "zod";
import type { INTEGRATION_CATALOG, IntegrationProviderName } from "./catalog";

/**
 * `fetch` for providers: the scanner's SSRF-safe fetcher (the host is resolved and checked at every
 * call, private addresses refused unless the operator allows them), redirects refused, bounded by a
 * timeout. Only string bodies are sent.
 */
export type IntegrationFetch = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
) => Promise<Response>;

export interface IntegrationContext {
  fetch: IntegrationFetch;
  /** Aborted when the worker shuts down or the attempt's time is up. */
  signal: AbortSignal;
  /** The intended action's key (e.g. action:<run>:<step>): the same for every attempt and replay. */
  idempotencyKey: string;
  /** 1 for the first attempt of this key; replays continue the count. */
  attempt: number;
  /**
   * True when an earlier attempt of this key started and recorded no answer (timeout, crash): it may
   * have reached the provider, so a create must look for what it made before making it again.
   */
  earlierAttemptUncertain: boolean;
}

/** A connection as a provider sees it: parsed config and opened credentials. */
export interface IntegrationConnectionOf<Provider extends IntegrationProviderName> {
  id: string;
  tenantId: string;
  name: string;
  provider: Provider;
  config: z.output<(typeof INTEGRATION_CATALOG)[Provider]["config"]>;
  credentials: z.output<(typeof INTEGRATION_CATALOG)[Provider]["credentials"]>;
}

/** What was sent, as stored on the delivery row: never a secret (no Authorization, no signature). */
export interface DeliveryRequestSummary {
  method: string;
  url: string;
  /** Only headers that carry no secret (webhook-id, webhook-timestamp, content-type…). */
  headers?: Record<string, string>;
  /** The body, cut to a few KB. */
  body?: string;
}

/**
 * A provider's answer to one attempt. The framework decides what happens next from `status`: 2xx
 * succeeded; 410 gone (a webhook endpoint is disabled); 429, 502, 503 and 504 retried no sooner than
 * `retryAfterMs`; other failures retried on the schedule when `retry` is not false.
 */
export interface ProviderOutcome {
  /** HTTP status of the provider's final answer; null when none came. */
  status: number | null;
  /** What happened, for people; no secrets. */
  summary: string;
  /** What the provider created (issue key, incident number, message ts). */
  externalId?: string;
  request?: DeliveryRequestSummary;
  /** The first characters of the answer's body. */
  responseExcerpt?: string;
  /** The provider asked to wait (Retry-After, a rate-limit reset) this long before the next attempt. */
  retryAfterMs?: number;
  /** False: no retry can help (bad request, bad credentials). Default: retry failures. */
  retry?: boolean;
}

type CatalogActions<Provider extends IntegrationProviderName> =
  (typeof INTEGRATION_CATALOG)[Provider]["actions"];
export type IntegrationActionName<Provider extends IntegrationProviderName> = keyof CatalogActions<Provider> &
  string;
export type IntegrationActionInput<
  Provider extends IntegrationProviderName,
  Action extends IntegrationActionName<Provider>,
> = CatalogActions<Provider>[Action] extends { input: z.ZodType }
  ? z.output<CatalogActions<Provider>[Action]["input"]>
  : never;

export interface IntegrationProvider<Provider extends IntegrationProviderName> {
  provider: Provider;
  actions: {
    [Action in IntegrationActionName<Provider>]: (
      context: IntegrationContext,
      connection: IntegrationConnectionOf<Provider>,
      payload: IntegrationActionInput<Provider, Action>,
    ) => Promise<ProviderOutcome>;
  };
  /** A real authenticated read (GitHub: the token's user; Jira: myself; Slack: auth.test; webhook: a signed ping). */
  testConnection(
    context: IntegrationContext,
    connection: IntegrationConnectionOf<Provider>,
  ): Promise<ProviderOutcome>;
}

/**
 * The providers a worker can dispatch to, keyed by name. A provider missing here fails its deliveries
 * with a clear error (each provider package adds its entry).
 */
export type IntegrationRegistry = { [Provider in IntegrationProviderName]?: IntegrationProvider<Provider> };
