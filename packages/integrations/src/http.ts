import type { IntegrationFetch } from "@techscaniq/contracts";
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
  /** The SSRF-safe fetch every request goes through (`integrationFetch`, or the worker's). */
  fetch: IntegrationFetch;
  /** The clock retry times are computed from (tests pin it). */
  now?: () => Date;
}

/** How long one request to a provider or receiver may take (Standard Webhooks suggests about 15 s). */
export const DEFAULT_TIMEOUT_MS = 15_000;
/** API answers are small JSON documents; a manifest file is at most 1 MB through GitHub's contents API. */
const MAX_API_RESPONSE_BYTES = 5 * 1024 * 1024;

/**
 * The SSRF-safe fetch for provider requests: checked and pinned address, no redirects.
 * `allowPrivate` is the deployment's policy (tests allow loopback); `timeoutMs` bounds each call,
 * and a create that hits it may still have happened (see `createOnce`).
 */
export function integrationFetch(options: {
  allowPrivate: AllowPrivate;
  timeoutMs?: number;
}): IntegrationFetch {
  return safeFetchFunction({
    allowPrivate: options.allowPrivate,
    maxResponseBytes: MAX_API_RESPONSE_BYTES,
    requestTimeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
}

/** The WHATWG `fetch` the SDKs (Octokit, Slack's WebClient) take, sending through `fetch`. */
export function sdkFetch(fetch: IntegrationFetch): FetchFunction {
  return async (input, init) => {
    const body = init?.body;
    if (body !== undefined && body !== null && typeof body !== "string")
      throw new TypeError("integration fetch: only string request bodies are sent");
    return fetch(input instanceof Request ? input.url : String(input), {
      method: init?.method ?? "GET",
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      ...(typeof body === "string" ? { body } : {}),
      ...(init?.signal ? { signal: init.signal } : {}),
    });
  };
}

/** Why no answer came, without the URL's query or any credential. */
export function transportFailure(provider: IntegrationProvider, error: unknown): IntegrationError {
  if (error instanceof FetchError) {
    // A refused address is a setting to fix, not a moment to wait for.
    const retryable = error.code === "timeout" || error.code === "network" || error.code === "dns";
    return new IntegrationError(provider, `${provider}: ${error.message}`, { retryable, cause: error });
  }
  // The worker's fetch says itself whether another attempt can help (`retry`).
  const retry = (error as { retry?: unknown }).retry;
  return new IntegrationError(provider, `${provider}: ${(error as Error).message}`, {
    retryable: typeof retry === "boolean" ? retry : true,
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
  fetch: IntegrationFetch,
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
