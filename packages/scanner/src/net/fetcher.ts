import type { LookupFunction } from "node:net";
import { Agent, request } from "undici";
import type { Headers } from "../types";
import {
  checkAddress,
  ipLiteral,
  systemResolver,
  type AllowPrivate,
  type ResolvedAddress,
  type Resolver,
} from "./resolver";
import { ByteBudget } from "./budget";
import { decodeBody } from "./charset";
import { FetchError, formatBytes, formatSeconds } from "./errors";

export const DEFAULT_USER_AGENT = "TechScanIQ/0.1 (+https://techscaniq.com/bot)";

/** Body types worth reading: pages, scripts, styles, robots, sitemaps, data. */
export const TEXT_CONTENT_TYPES = [
  "text/html",
  "application/xhtml+xml",
  "text/plain",
  "text/css",
  "text/javascript",
  "application/javascript",
  "application/x-javascript",
  "application/ecmascript",
  "application/json",
  "application/ld+json",
  "application/xml",
  "text/xml",
  "application/rss+xml",
  "application/atom+xml",
  "image/svg+xml",
];

export interface FetchPolicy {
  allowPrivate: AllowPrivate;
  maxRedirects: number;
  /** Bytes per response body; bigger bodies are aborted mid-stream. */
  maxResponseBytes: number;
  /** Time for one fetch, redirects and body included. */
  requestTimeoutMs: number;
  /** Media types whose bodies are read; others are refused. `null` reads anything. */
  allowedContentTypes: string[] | null;
  userAgent: string;
}

export const DEFAULT_FETCH_POLICY: FetchPolicy = {
  allowPrivate: false,
  maxRedirects: 10,
  maxResponseBytes: 5 * 1024 * 1024,
  requestTimeoutMs: 15_000,
  allowedContentTypes: TEXT_CONTENT_TYPES,
  userAgent: DEFAULT_USER_AGENT,
};

export interface SafeFetcherOptions extends Partial<FetchPolicy> {
  /** Shared by every fetch of a scan (and the browser); default: 50 MB. */
  budget?: ByteBudget;
  /** Cancels every fetch (scan deadline or user cancel). */
  signal?: AbortSignal;
  resolver?: Resolver;
  /** Extra trusted CA certificates (PEM), e.g. a test server's self-signed one. */
  ca?: string[];
  /**
   * Whether https certificates must verify (default). The Observatory's grader
   * retries a site with a bad certificate unverified and grades it as such.
   */
  verifyCertificates?: boolean;
}

export interface FetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Overrides the policy for this fetch. */
  allowedContentTypes?: string[] | null;
  maxResponseBytes?: number;
  timeoutMs?: number;
}

export interface RedirectHop {
  url: string;
  status: number;
  location: string;
  /** Set-Cookie lines of the redirect response, when it had any. */
  setCookie?: string[];
}

export interface FetchedResponse {
  requestedUrl: string;
  /** URL after redirects. */
  url: string;
  status: number;
  /** Lower-case names; repeated headers keep every value. */
  headers: Headers;
  redirects: RedirectHop[];
  contentType: string;
  /** The address actually connected to. */
  address: string;
  body: Uint8Array;
  /** Body decoded by BOM / Content-Type charset / meta charset. */
  text: string;
  charset: string;
}

type BodyStream = AsyncIterable<Uint8Array> & {
  destroy(): unknown;
  on(event: "error", listener: () => void): unknown;
};

/** Stop reading a body we refuse; the abort error it emits is expected, not a failure. */
function discard(body: BodyStream): void {
  body.on("error", () => undefined);
  body.destroy();
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Parse and vet a URL before any network access: http(s) only, no credentials. */
export function parseFetchUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new FetchError("invalid-url", `invalid URL: ${raw.slice(0, 200)}`, raw);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new FetchError("scheme", `unsupported scheme ${url.protocol}`, raw);
  }
  if (url.username || url.password) {
    throw new FetchError("credentials", "credentials in URL are not allowed", raw);
  }
  if (!url.hostname)
    throw new FetchError("invalid-url", `invalid URL: ${raw.slice(0, 200)} has no host`, raw);
  return url;
}

function lowerCaseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers: Headers = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value : [value];
  }
  return headers;
}

function mediaType(contentType: string): string {
  return contentType.split(";")[0]!.trim().toLowerCase();
}

/**
 * The one HTTP client every collector uses. It resolves each host itself,
 * refuses non-public addresses (first request and every redirect), and
 * connects to exactly the address it checked: undici's connector gets a
 * `lookup` that returns the pinned address, so a DNS answer that changes
 * between check and connect (rebinding) is never used. Answers are cached
 * per fetcher, i.e. per scan.
 */
export class SafeFetcher {
  readonly policy: FetchPolicy;
  readonly budget: ByteBudget;
  readonly signal: AbortSignal | undefined;
  readonly #resolver: Resolver;
  readonly #tls: { ca?: string[]; rejectUnauthorized: boolean };
  readonly #pinned = new Map<string, Promise<ResolvedAddress>>();
  readonly #agents = new Map<string, Agent>();

  constructor(options: SafeFetcherOptions = {}) {
    const { budget, signal, resolver, ca, verifyCertificates, ...policy } = options;
    this.policy = { ...DEFAULT_FETCH_POLICY, ...policy };
    this.#tls = { ...(ca ? { ca } : {}), rejectUnauthorized: verifyCertificates ?? true };
    this.budget = budget ?? new ByteBudget(50 * 1024 * 1024);
    this.signal = signal;
    this.#resolver = resolver ?? systemResolver;
  }

  /** Resolve `hostname` once per scan and return the address to connect to; throws FetchError("blocked") when forbidden. */
  resolveHost(hostname: string, url = hostname): Promise<ResolvedAddress> {
    const key = hostname.toLowerCase();
    let pinned = this.#pinned.get(key);
    if (!pinned) {
      pinned = this.#resolveAndCheck(key, url);
      this.#pinned.set(key, pinned);
    }
    return pinned;
  }

  async #resolveAndCheck(hostname: string, url: string): Promise<ResolvedAddress> {
    const literal = ipLiteral(hostname);
    let answers: ResolvedAddress[];
    if (literal) {
      answers = [literal];
    } else {
      try {
        answers = await this.#resolver(hostname);
      } catch (error) {
        throw new FetchError("dns", `cannot resolve ${hostname}: ${(error as Error).message}`, url, {
          cause: error,
        });
      }
      if (answers.length === 0) throw new FetchError("dns", `cannot resolve ${hostname}: no addresses`, url);
    }
    // Every answer must be acceptable: a name that also points inside the network is refused outright.
    for (const answer of answers) {
      const verdict = checkAddress(answer.address, this.policy.allowPrivate);
      if (!verdict.allowed) throw new FetchError("blocked", verdict.reason!, url);
    }
    return answers[0]!;
  }

  /** Throws FetchError when `url` may not be fetched (scheme, credentials, address). */
  async assertAllowed(url: string): Promise<ResolvedAddress> {
    const parsed = parseFetchUrl(url);
    return this.resolveHost(parsed.hostname, url);
  }

  #agentFor(hostname: string, pinned: ResolvedAddress): Agent {
    const key = `${hostname}|${pinned.address}`;
    let agent = this.#agents.get(key);
    if (!agent) {
      const lookup: LookupFunction = (_host, options, callback) => {
        if (options.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
        else callback(null, pinned.address, pinned.family);
      };
      agent = new Agent({
        connect: { lookup, timeout: this.policy.requestTimeoutMs, ...this.#tls },
        connections: 6,
      });
      this.#agents.set(key, agent);
    }
    return agent;
  }

  async fetch(rawUrl: string, options: FetchOptions = {}): Promise<FetchedResponse> {
    const timeoutMs = options.timeoutMs ?? this.policy.requestTimeoutMs;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = this.signal ? AbortSignal.any([this.signal, timeout]) : timeout;
    try {
      return await this.#fetchFollowing(rawUrl, options, signal);
    } catch (error) {
      if (error instanceof FetchError) throw error;
      if (timeout.aborted)
        throw new FetchError("timeout", `timeout after ${formatSeconds(timeoutMs)}`, rawUrl);
      if (this.signal?.aborted) {
        const reason = this.signal.reason instanceof Error ? this.signal.reason.message : "scan cancelled";
        throw new FetchError("aborted", `aborted: ${reason}`, rawUrl);
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new FetchError("network", `network error: ${detail}`, rawUrl, { cause: error });
    }
  }

  async #fetchFollowing(
    rawUrl: string,
    options: FetchOptions,
    signal: AbortSignal,
  ): Promise<FetchedResponse> {
    const redirects: RedirectHop[] = [];
    let url = parseFetchUrl(rawUrl);
    for (;;) {
      signal.throwIfAborted();
      const pinned = await this.resolveHost(url.hostname, url.href);
      const response = await request(url, {
        method: options.method ?? "GET",
        ...(options.body ? { body: options.body } : {}),
        dispatcher: this.#agentFor(url.hostname, pinned),
        signal,
        headers: {
          "user-agent": this.policy.userAgent,
          accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
          "accept-language": "en",
          ...options.headers,
        },
      });
      const headers = lowerCaseHeaders(response.headers);
      const location = headers.location?.[0];
      if (REDIRECT_STATUSES.has(response.statusCode) && location !== undefined) {
        await response.body.dump();
        if (redirects.length >= this.policy.maxRedirects) {
          throw new FetchError("redirects", `too many redirects (${this.policy.maxRedirects})`, rawUrl);
        }
        const setCookie = headers["set-cookie"];
        redirects.push({
          url: url.href,
          status: response.statusCode,
          location,
          ...(setCookie ? { setCookie } : {}),
        });
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          throw new FetchError(
            "invalid-url",
            `invalid redirect location: ${location.slice(0, 200)}`,
            url.href,
          );
        }
        url = parseFetchUrl(next.href);
        continue;
      }
      const contentType = headers["content-type"]?.[0] ?? "";
      const allowed =
        options.allowedContentTypes === undefined
          ? this.policy.allowedContentTypes
          : options.allowedContentTypes;
      if (allowed && contentType && !allowed.includes(mediaType(contentType))) {
        discard(response.body);
        throw new FetchError("content-type", `unsupported content type ${mediaType(contentType)}`, url.href);
      }
      const body = await this.#readBody(
        response.body,
        headers,
        options.maxResponseBytes ?? this.policy.maxResponseBytes,
        url.href,
      );
      const { text, charset } = decodeBody(body, contentType);
      return {
        requestedUrl: rawUrl,
        url: url.href,
        status: response.statusCode,
        headers,
        redirects,
        contentType,
        address: pinned.address,
        body,
        text,
        charset,
      };
    }
  }

  async #readBody(body: BodyStream, headers: Headers, limit: number, url: string): Promise<Uint8Array> {
    const tooLarge = () => new FetchError("too-large", `response over ${formatBytes(limit)}`, url);
    const declared = Number(headers["content-length"]?.[0]);
    if (Number.isFinite(declared) && declared > limit) {
      discard(body);
      throw tooLarge();
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of body) {
        size += chunk.byteLength;
        if (size > limit) throw tooLarge();
        this.budget.take(chunk.byteLength, url);
        chunks.push(chunk);
      }
    } catch (error) {
      discard(body);
      throw error;
    }
    return Buffer.concat(chunks, size);
  }

  /** Close pooled connections. */
  async close(): Promise<void> {
    const agents = [...this.#agents.values()];
    this.#agents.clear();
    await Promise.all(agents.map((agent) => agent.destroy()));
  }
}
