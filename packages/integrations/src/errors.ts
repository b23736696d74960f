export type IntegrationProvider = "github" | "jira" | "servicenow" | "slack";

/**
 * Why a provider call did not do what was asked, in the provider's own words (never with a
 * credential in it). `retryAt` is set when the provider said when to come back (rate limits): the
 * worker reschedules the job for then instead of sleeping in-process. `retryable` without
 * `retryAt` (5xx, network, timeout) leaves the wait to the worker's backoff; `!retryable` (bad
 * credentials, a refused request) is final until someone changes the connection or the input.
 */
export class IntegrationError extends Error {
  readonly provider: IntegrationProvider;
  /** The provider's HTTP status, null when no answer arrived. */
  readonly status: number | null;
  readonly retryable: boolean;
  readonly retryAt: Date | null;

  constructor(
    provider: IntegrationProvider,
    message: string,
    details: { status?: number | null; retryable?: boolean; retryAt?: Date | null; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "IntegrationError";
    this.provider = provider;
    this.status = details.status ?? null;
    this.retryAt = details.retryAt ?? null;
    this.retryable = details.retryable ?? this.retryAt !== null;
  }
}

/** Statuses worth another try later: the provider was busy or broken, not the request. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Removes every secret from a text that may quote the request (an error body, a message). */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret.length >= 4) result = result.split(secret).join("[redacted]");
  return result;
}

/** `Retry-After` as seconds or an HTTP date, as a time; null when absent or unreadable. */
export function retryAfterTime(value: string | null | undefined, now: Date): Date | null {
  if (value === null || value === undefined || value.trim() === "") return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return new Date(now.getTime() + seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : new Date(Math.max(date, now.getTime()));
}
