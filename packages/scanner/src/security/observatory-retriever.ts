import { getDomain } from "tldts";
import { parseSetCookie } from "../crawl";
import { snapshotFromHtml } from "../fingerprints/snapshot";
import { FetchError, type SafeFetcher } from "../net";
import type { CookieInfo, Headers, ObservatoryResponse, ObservatoryRetrieval, PageSnapshot } from "../types";

/**
 * The MDN HTTP Observatory's retriever (src/retriever/*.js of
 * @mdn/mdn-http-observatory 1.4.8), ported onto the scanner's SafeFetcher so
 * the address policy, limits and byte budget apply to every request.
 */

/** The Origin its CORS probe sends (the Observatory's `retriever.corsOrigin` default). */
export const OBSERVATORY_CORS_ORIGIN = "https://http-observatory.security.mozilla.org";

/** Node's codes for a certificate that did not verify; on these the Observatory retries unverified. */
const CERTIFICATE_ERROR_CODES = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_CRL",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECRYPT_CRL_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CRL_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "CRL_NOT_YET_VALID",
  "CRL_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "ERROR_IN_CRL_LAST_UPDATE_FIELD",
  "ERROR_IN_CRL_NEXT_UPDATE_FIELD",
  "OUT_OF_MEM",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

const HTML_TYPES = new Set(["text/html", "application/xhtml+xml"]);

/** The media type exactly as the Observatory compares it: the first Content-Type, before any ";". */
export function isHtmlResponse(headers: Headers): boolean {
  return HTML_TYPES.has((headers["content-type"]?.[0] ?? "").split(";")[0]!);
}

/** A fetcher for one of the retriever's sessions, verifying certificates or not; the retriever closes it. */
export type OpenFetcher = (verifyCertificates: boolean) => SafeFetcher;

/** Ports of the two forms, like the Observatory's `httpPort`/`httpsPort` options. */
export interface ObservatoryPorts {
  http?: number;
  https?: number;
}

/**
 * The http:// and https:// forms of a URL's host and path. A port written in
 * the URL belongs to its own scheme; the other scheme uses its default port
 * unless `ports` says otherwise (the Observatory takes a hostname, not a URL).
 */
export function observatoryUrls(url: string, ports: ObservatoryPorts = {}): { http: string; https: string } {
  const target = new URL(url);
  const form = (scheme: "http" | "https") => {
    const port = ports[scheme] ?? (target.protocol === `${scheme}:` ? target.port : "");
    const u = new URL(`${scheme}://${target.hostname}${target.pathname}${target.search}`);
    u.port = String(port);
    return u.href;
  };
  return { http: form("http"), https: form("https") };
}

function isCertificateError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (CERTIFICATE_ERROR_CODES.has(String((e as { code?: unknown }).code))) return true;
  }
  return false;
}

/** A cancelled scan stops here; any other failure means "this scheme did not answer". */
function rethrowIfAborted(error: unknown): void {
  if (error instanceof FetchError && error.code === "aborted") throw error;
}

/** One session: follow the URL's redirects; on a certificate error, again without verification. */
async function session(url: string, open: OpenFetcher): Promise<ObservatoryResponse | null> {
  for (const verified of [true, false]) {
    const fetcher = open(verified);
    try {
      const response = await fetcher.fetch(url, { allowedContentTypes: null });
      return {
        requestedUrl: url,
        url: response.url,
        status: response.status,
        redirects: response.redirects,
        headers: response.headers,
        html: isHtmlResponse(response.headers) ? response.text : "",
        verified,
      };
    } catch (error) {
      rethrowIfAborted(error);
      if (!verified || !isCertificateError(error)) return null;
    } finally {
      await fetcher.close();
    }
  }
  return null;
}

/**
 * The CORS probe: OPTIONS with Origin and Access-Control-Request-Method to the
 * graded response's final URL. The Observatory's client rejects a non-2xx
 * answer, which leaves the probe empty.
 */
async function corsProbe(
  graded: ObservatoryResponse,
  open: OpenFetcher,
): Promise<ObservatoryRetrieval["cors"]> {
  const fetcher = open(graded.verified);
  try {
    const response = await fetcher.fetch(graded.url, {
      method: "OPTIONS",
      headers: { origin: OBSERVATORY_CORS_ORIGIN, "access-control-request-method": "GET" },
      allowedContentTypes: null,
    });
    if (response.status < 200 || response.status >= 300) return null;
    return { url: response.url, status: response.status, headers: response.headers };
  } catch (error) {
    rethrowIfAborted(error);
    return null;
  } finally {
    await fetcher.close();
  }
}

/** The response the Observatory grades: the https:// one when it answered, else the http:// one. */
export function gradedResponse(retrieval: ObservatoryRetrieval): ObservatoryResponse | null {
  return retrieval.https ?? retrieval.http;
}

/** Request both forms of the URL (in parallel, as the Observatory does), then probe CORS. */
export async function retrieveForObservatory(
  url: string,
  open: OpenFetcher,
  ports: ObservatoryPorts = {},
): Promise<ObservatoryRetrieval> {
  const forms = observatoryUrls(url, ports);
  const [http, https] = await Promise.all([session(forms.http, open), session(forms.https, open)]);
  const graded = https ?? http;
  return { http, https, cors: graded ? await corsProbe(graded, open) : null };
}

/** RFC 6761 special-use names, which tough-cookie accepts as a cookie's Domain. */
const SPECIAL_USE_DOMAINS = ["local", "example", "invalid", "localhost", "test"];
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** tough-cookie's public-suffix check: may a cookie name this Domain at all? */
function isSettableDomain(domain: string): boolean {
  const labels = domain.split(".");
  const top = labels.at(-1)!;
  if (SPECIAL_USE_DOMAINS.includes(top) && (labels.length > 1 || ["localhost", "invalid"].includes(top)))
    return true;
  return (
    getDomain(domain, { allowIcannDomains: true, allowPrivateDomains: true }) !== null || domain.includes(":")
  );
}

/** RFC 6265 domain-match: the host itself, or a subdomain of it when the host is a name. */
function domainMatches(host: string, domain: string): boolean {
  return host === domain || (host.endsWith(`.${domain}`) && !IPV4.test(host) && !host.includes(":"));
}

/** RFC 6265 default-path: the request path up to its last "/". */
function defaultPath(pathname: string): string {
  const slash = pathname.lastIndexOf("/");
  return slash <= 0 ? "/" : pathname.slice(0, slash);
}

/**
 * The cookies a session's jar holds at the end, as the Observatory's jar
 * (tough-cookie 5, errors ignored) keeps them: every Set-Cookie of the chain,
 * redirects included; a Domain that is a public suffix or does not match the
 * host, or a __Secure-/__Host- prefix whose conditions fail, drops the
 * cookie; a later cookie replaces an earlier one of the same name, domain and
 * path.
 */
function sessionCookies(response: ObservatoryResponse): CookieInfo[] {
  const responses = [
    ...response.redirects.map((hop) => ({ url: hop.url, lines: hop.setCookie ?? [] })),
    { url: response.url, lines: response.headers["set-cookie"] ?? [] },
  ];
  const jar = new Map<string, CookieInfo>();
  for (const { url, lines } of responses) {
    const { hostname, pathname } = new URL(url);
    const host = hostname.replace(/^\[|\]$/g, "");
    for (const cookie of lines.map(parseSetCookie)) {
      if (!cookie) continue;
      const domain = cookie.domain?.trim().toLowerCase().replace(/^\./, "") || null;
      if (domain && (!isSettableDomain(domain) || !domainMatches(host, domain))) continue;
      const path = cookie.path?.startsWith("/") ? cookie.path : defaultPath(pathname);
      if (cookie.name.startsWith("__Secure-") && !cookie.secure) continue;
      if (cookie.name.startsWith("__Host-") && !(cookie.secure && !domain && path === "/")) continue;
      jar.set(`${domain ?? host}|${path}|${cookie.name}`, cookie);
    }
  }
  return [...jar.values()];
}

/** The graded response as a page for the header tests, with its session's cookies. */
export function observatoryPage(response: ObservatoryResponse): PageSnapshot {
  const page = snapshotFromHtml({
    url: response.url,
    html: response.html,
    headers: response.headers,
    status: response.status,
  });
  return {
    ...page,
    requestedUrl: response.requestedUrl,
    redirects: response.redirects,
    cookies: sessionCookies(response),
  };
}
