import type { IntegrationFetch } from "@techscaniq/contracts/integrations";
import { FetchError, type AllowPrivate } from "@techscaniq/scanner";
import { safeProviderFetch } from "../report/provider-fetch";

/** How long one request to a provider or receiver may take (Standard Webhooks suggests about 15 s). */
export const INTEGRATION_TIMEOUT_MS = 15_000;

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
 * Providers' `fetch`: the scanner's SSRF-safe fetcher as the model SDKs use it (host resolved and
 * checked at every call, connection pinned, redirects refused: a redirect would carry credentials
 * elsewhere, and Standard Webhooks counts 3xx as a failure), bounded by `timeoutMs`.
 */
export function integrationFetch(
  allowPrivate: AllowPrivate,
  timeoutMs = INTEGRATION_TIMEOUT_MS,
): IntegrationFetch {
  const fetch = safeProviderFetch(allowPrivate);
  return async (url, init = {}) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      return await fetch(url, { ...init, signal });
    } catch (error) {
      if (timeout.aborted) throw new IntegrationRequestError(`no answer within ${timeoutMs / 1000} s`, true);
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
