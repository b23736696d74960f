import { FetchError, safeFetchFunction, type AllowPrivate, type FetchFunction } from "@techscaniq/scanner";
import {
  IntegrationError,
  isTransientStatus,
  redact,
  retryAfterTime,
  type IntegrationProvider,
} from "./errors";

/** How every provider client reaches its API. */
export interface ClientOptions {
  /** Private addresses are refused unless the operator allows them (tests allow loopback). */
  allowPrivate: AllowPrivate;
  /** One call's deadline; a create that hits it may still have happened (see Jira's idempotency). */
  timeoutMs?: number;
  /** The clock retry times are computed from (tests pin it). */
  now?: () => Date;
}

export const DEFAULT_TIMEOUT_MS = 15_000;
/** API answers are small JSON documents; a manifest file is at most 1 MB through GitHub's contents API. */
const MAX_API_RESPONSE_BYTES = 5 * 1024 * 1024;

/** The SSRF-safe fetch every provider's requests go through: checked and pinned address, no redirects. */
export function integrationFetch(options: ClientOptions): FetchFunction {
  return safeFetchFunction({
    allowPrivate: options.allowPrivate,
    maxResponseBytes: MAX_API_RESPONSE_BYTES,
    requestTimeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
}

/** Why no answer came, without the URL's query or any credential. */
export function transportFailure(provider: IntegrationProvider, error: unknown): IntegrationError {
  if (error instanceof FetchError) {
    // A refused address is a setting to fix, not a moment to wait for.
    const retryable = error.code === "timeout" || error.code === "network" || error.code === "dns";
    return new IntegrationError(provider, `${provider}: ${error.message}`, { retryable, cause: error });
  }
  return new IntegrationError(provider, `${provider}: ${(error as Error).message}`, {
    retryable: true,
    cause: error,
  });
}

export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** One JSON call to a provider: the answer whatever its status; no answer is an IntegrationError. */
export async function callJson(
  provider: IntegrationProvider,
  fetch: FetchFunction,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: unknown },
): Promise<JsonAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: {
        accept: "application/json",
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  } catch (error) {
    throw transportFailure(provider, error);
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page, Slack's webhook "ok"): kept as text.
  }
  return { status: response.status, headers: response.headers, body };
}

/** An unsuccessful answer as an IntegrationError: the provider's reason, its status, when to retry. */
export function answerFailure(
  provider: IntegrationProvider,
  answer: JsonAnswer,
  reason: string,
  secrets: readonly string[],
  now: Date,
): IntegrationError {
  const retryAt = retryAfterTime(answer.headers.get("retry-after"), now);
  return new IntegrationError(provider, redact(`${provider}: HTTP ${answer.status}: ${reason}`, secrets), {
    status: answer.status,
    retryable: isTransientStatus(answer.status),
    retryAt: answer.status === 429 || answer.status === 503 ? retryAt : null,
  });
}

/** The first 300 characters of a body we could not read as the provider's error shape. */
export function bodyExcerpt(body: unknown): string {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return (text ?? "").slice(0, 300);
}

export function basicAuth(user: string, secret: string): string {
  return `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;
}
