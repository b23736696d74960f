import type { ProviderConfig, ProviderFetch } from "@techscaniq/ai";
import { FetchError, SafeFetcher, type AllowPrivate } from "@techscaniq/scanner";

/** Model answers are small JSON documents; anything bigger is not an answer. */
const MAX_PROVIDER_RESPONSE_BYTES = 10 * 1024 * 1024;
/** The SDK's own per-call timeout (its abort signal) ends a call first; this only bounds a hung fetcher. */
const PROVIDER_FETCH_CEILING_MS = 10 * 60_000;

/**
 * A `fetch` for the provider SDKs built on the scanner's SSRF-safe fetcher:
 * at every call the host is resolved and checked against the address policy
 * and the connection is pinned to the checked address. Redirects are refused:
 * a redirect would carry the API key to a host it was not given for.
 */
export function safeProviderFetch(allowPrivate: AllowPrivate): ProviderFetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const body = init?.body;
    if (body !== undefined && body !== null && typeof body !== "string")
      throw new TypeError("provider fetch: only string request bodies are sent");
    const signal = init?.signal ?? undefined;
    const fetcher = new SafeFetcher({
      allowPrivate,
      maxRedirects: 0,
      allowedContentTypes: null,
      maxResponseBytes: MAX_PROVIDER_RESPONSE_BYTES,
      requestTimeoutMs: PROVIDER_FETCH_CEILING_MS,
      ...(signal ? { signal } : {}),
    });
    try {
      const response = await fetcher.fetch(url, {
        method: init?.method ?? "GET",
        headers: Object.fromEntries(new Headers(init?.headers).entries()),
        ...(typeof body === "string" ? { body: new TextEncoder().encode(body) } : {}),
      });
      const headers = new Headers();
      for (const [name, values] of Object.entries(response.headers))
        for (const value of values) headers.append(name, value);
      const empty = response.status === 204 || response.status === 304;
      return new Response(empty ? null : response.body, { status: response.status, headers });
    } catch (error) {
      // The SDK tells its own timeout and a caller's abort apart by the signal's reason.
      if (error instanceof FetchError && error.code === "aborted" && signal?.aborted) throw signal.reason;
      throw error;
    } finally {
      await fetcher.close();
    }
  };
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
