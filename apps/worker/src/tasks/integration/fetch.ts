import type { IntegrationFetch } from "@techscaniq/contracts/integrations";
import { DEFAULT_TIMEOUT_MS, integrationFetch as clientFetch } from "@techscaniq/integrations";
import { FetchError, type AllowPrivate } from "@techscaniq/scanner";

/** Thrown for a request that got no usable answer; `retry` says whether another attempt can help. */
export class IntegrationRequestError extends Error {
  override name = "IntegrationRequestError";
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

/** Addresses and URLs are refused for good; everything else may answer next time. */
const PERMANENT_FETCH_ERRORS = new Set(["invalid-url", "scheme", "credentials", "blocked"]);

/**
 * Deliveries' `fetch`: the provider clients' SSRF-safe fetch (host resolved and checked at every
 * call, connection pinned, redirects refused: a redirect would carry credentials elsewhere, and
 * Standard Webhooks counts 3xx as a failure), with its failures sorted into retry or give up.
 */
export function integrationFetch(
  allowPrivate: AllowPrivate,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): IntegrationFetch {
  const fetch = clientFetch({ allowPrivate, timeoutMs });
  return async (url, init = {}) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      return await fetch(url, { ...init, signal });
    } catch (error) {
      // Either clock may ring first: this call's, or the fetcher's own per-request one.
      if (timeout.aborted || (error instanceof FetchError && error.code === "timeout"))
        throw new IntegrationRequestError(`no answer within ${timeoutMs / 1000} s`, true);
      if (error instanceof FetchError) {
        if (error.code === "redirects")
          throw new IntegrationRequestError(
            "answered with a redirect (3xx), which counts as a failure",
            true,
          );
        throw new IntegrationRequestError(error.message, !PERMANENT_FETCH_ERRORS.has(error.code));
      }
      throw error;
    }
  };
}
