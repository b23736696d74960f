import { FetchError } from "./errors";
import { SafeFetcher } from "./fetcher";
import type { AllowPrivate } from "./resolver";

/** What an SDK's `fetch` option takes: the WHATWG signature, as Node's `fetch` has it. */
export type FetchFunction = typeof globalThis.fetch;

export interface SafeFetchFunctionOptions {
  allowPrivate: AllowPrivate;
  /** API answers are small documents; anything bigger is refused mid-stream. */
  maxResponseBytes: number;
  /** Bounds one call when the caller's own signal does not end it first. */
  requestTimeoutMs: number;
  userAgent?: string;
}

/** Request bodies an API client sends: JSON or form text, or bytes. Streams are refused. */
function bodyBytes(body: RequestInit["body"]): Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || body instanceof URLSearchParams)
    return new TextEncoder().encode(String(body));
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError("safe fetch: only text or byte request bodies are sent");
}

/**
 * A WHATWG `fetch` built on the SSRF-safe fetcher, for API clients that take a custom fetch (the
 * AI SDKs, Octokit, Slack's WebClient): at every call the host is resolved and checked against the
 * address policy and the connection is pinned to the checked address. Redirects are refused: a
 * redirect would carry a credential to a host it was not given for.
 */
export function safeFetchFunction(options: SafeFetchFunctionOptions): FetchFunction {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const body = bodyBytes(init?.body);
    const signal = init?.signal ?? undefined;
    const fetcher = new SafeFetcher({
      allowPrivate: options.allowPrivate,
      maxRedirects: 0,
      allowedContentTypes: null,
      maxResponseBytes: options.maxResponseBytes,
      requestTimeoutMs: options.requestTimeoutMs,
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
      ...(signal ? { signal } : {}),
    });
    try {
      const response = await fetcher.fetch(url, {
        method: init?.method ?? "GET",
        headers: Object.fromEntries(new Headers(init?.headers).entries()),
        ...(body ? { body } : {}),
      });
      const headers = new Headers();
      for (const [name, values] of Object.entries(response.headers))
        for (const value of values) headers.append(name, value);
      const empty = response.status === 204 || response.status === 304;
      return new Response(empty ? null : response.body, { status: response.status, headers });
    } catch (error) {
      // SDKs tell their own timeout and a caller's abort apart by the signal's reason.
      if (error instanceof FetchError && error.code === "aborted" && signal?.aborted) throw signal.reason;
      throw error;
    } finally {
      await fetcher.close();
    }
  };
}
