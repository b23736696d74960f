import type { ProviderConfig, ProviderFetch } from "@techscaniq/ai";
import { safeFetchFunction, type AllowPrivate } from "@techscaniq/scanner";

/** Model answers are small JSON documents; anything bigger is not an answer. */
const MAX_PROVIDER_RESPONSE_BYTES = 10 * 1024 * 1024;
/** The SDK's own per-call timeout (its abort signal) ends a call first; this only bounds a hung fetcher. */
const PROVIDER_FETCH_CEILING_MS = 10 * 60_000;

/**
 * A `fetch` for the provider SDKs on the scanner's SSRF-safe fetcher: every call's host is checked
 * and pinned, and redirects are refused (they would carry the API key to another host).
 */
export function safeProviderFetch(allowPrivate: AllowPrivate): ProviderFetch {
  return safeFetchFunction({
    allowPrivate,
    maxResponseBytes: MAX_PROVIDER_RESPONSE_BYTES,
    requestTimeoutMs: PROVIDER_FETCH_CEILING_MS,
  });
}

/**
 * Which fetch a provider gets: base URLs a tenant chose are held to the
 * deployment's private-address policy; URLs the operator configured (the
 * environment, or an assigned key's base URL) may be private, since the
 * operator put them there. Both are pinned and refuse redirects.
 */
export function providerFetchFor(allowPrivate: AllowPrivate): (provider: ProviderConfig) => ProviderFetch {
  const tenantChosen = safeProviderFetch(allowPrivate);
  const operatorChosen = safeProviderFetch(true);
  return (provider) => ("tenantUrl" in provider && provider.tenantUrl ? tenantChosen : operatorChosen);
}
