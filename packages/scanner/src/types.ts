/**
 * The shapes that flow between the scanner's collectors (fetch, crawl,
 * render) and its analysers (fingerprints, security, vulnerabilities).
 * Everything here is plain data, serialisable to JSON.
 */

/** Header names are lower-case; a header seen several times keeps every value. */
export type Headers = Record<string, string[]>;

export interface CookieInfo {
  name: string;
  value: string;
  domain?: string;
  path?: string;
  expires?: string;
  httpOnly: boolean;
  secure: boolean;
  sameSite?: "Strict" | "Lax" | "None";
  /** The raw Set-Cookie header line, when it came from one. */
  raw?: string;
}

export interface NetworkRequest {
  url: string;
  method: string;
  /** Playwright resource type: document, script, stylesheet, image, font, xhr, fetch, ... */
  resourceType: string;
  status: number | null;
  /** Encoded (transfer) bytes when known. */
  bytes: number;
  /** Milliseconds from request start to response end, when known. */
  durationMs: number | null;
  thirdParty: boolean;
  failed?: string;
  /** Request was refused by the scanner's address policy. */
  blocked?: string;
}

/** One page as seen by the plain HTTP fetch and, when rendered, by Chromium. */
export interface PageSnapshot {
  requestedUrl: string;
  /** URL after redirects. */
  url: string;
  status: number;
  headers: Headers;
  /** Decoded body text (the rendered DOM's outerHTML when `rendered`). */
  html: string;
  contentType: string;
  bytes: number;
  /** Redirect chain, first hop first, excluding the final URL. */
  redirects: { url: string; status: number; location: string }[];
  rendered: boolean;
  /** Absolute URLs of <script src>. */
  scriptSrc: string[];
  /** Inline scripts and (bounded) bodies of same-page external scripts. */
  scripts: { url?: string; content: string }[];
  /** Absolute URLs of stylesheets. */
  stylesheets: string[];
  /** Bodies of same-site stylesheets (bounded, as scripts' are), for the versions they state. */
  stylesheetBodies?: { url: string; content: string }[];
  cookies: CookieInfo[];
  /** Values of JS globals that fingerprints asked for (rendered pages only); key is the dotted path. */
  js: Record<string, string | number | boolean | null>;
  /**
   * Properties of DOM nodes that fingerprints asked for (rendered pages only; see
   * `fingerprintDomProperties()`): CSS selector → property → value on the first node that has it.
   */
  domProperties?: Record<string, Record<string, string | number | boolean | null>>;
  /** Every request the browser made (rendered pages only). */
  requests: NetworkRequest[];
  consoleErrors: string[];
  /** http:// subresources requested from an https:// page. */
  mixedContent: string[];
  timings?: {
    ttfbMs?: number;
    domContentLoadedMs?: number;
    loadMs?: number;
  };
  /** PNG bytes, base64, when a screenshot was taken. */
  screenshotPng?: string;
  /** What was cut off at its cap (rendered pages only): the rest of the HTML, scripts, requests or console. */
  truncated?: ("html" | "scripts" | "requests" | "consoleErrors")[];
  /** "not-found": the answer to a path no site serves, read for the server's error page; not a site page. */
  probe?: "not-found";
  fetchedAt: string;
}

export interface TlsInfo {
  host: string;
  protocol: string | null;
  cipher: string | null;
  issuer: string | null;
  subject: string | null;
  subjectAltNames: string[];
  validFrom: string | null;
  validTo: string | null;
  daysRemaining: number | null;
  authorized: boolean;
  authorizationError: string | null;
}

export interface DnsInfo {
  host: string;
  a: string[];
  aaaa: string[];
  mx: { exchange: string; priority: number }[];
  txt: string[];
  spf: string | null;
  dmarc: string | null;
  caa: { critical: number; tag: string; value: string }[];
  ns: string[];
  cname: string[];
  errors: string[];
}

/** A redirect chain: where a request went, first hop first. */
export interface HttpProbe {
  requestedUrl: string;
  /** URL after redirects. */
  url: string;
  status: number;
  /** Redirect chain, first hop first, excluding the final URL. */
  redirects: { url: string; status: number; location: string; setCookie?: string[] }[];
  /**
   * False when the chain met a certificate that did not verify and was
   * followed without verification (the Observatory's retriever does that).
   */
  verified?: boolean;
}

/** One of the Observatory's two requests (http:// or https://), after its redirects. */
export interface ObservatoryResponse extends HttpProbe {
  headers: Headers;
  /** The body when it is HTML (the grader reads meta tags and scripts), else "". */
  html: string;
  verified: boolean;
}

/**
 * What the MDN HTTP Observatory's retriever collects for a host and path:
 * the http:// and https:// forms requested separately (null when that
 * scheme did not answer), and its CORS probe, an OPTIONS request with an
 * Origin header to the graded response's URL (null when it failed or was
 * not 2xx).
 */
export interface ObservatoryRetrieval {
  http: ObservatoryResponse | null;
  https: ObservatoryResponse | null;
  cors: { url: string; status: number; headers: Headers } | null;
}

/** Site-level context shared by every page of a scan. */
export interface SiteContext {
  origin: string;
  robotsTxt: string | null;
  tls: TlsInfo | null;
  dns: DnsInfo | null;
  /** The Observatory's own requests for the header grade; absent when not made. */
  observatory?: ObservatoryRetrieval;
  /** Metadata files of the detected platform that state versions (first characters of each). */
  versionFiles?: VersionFile[];
}

/** How a platform metadata file is read (`src/versions/files.ts`). */
export type VersionFileReader =
  | "wordpress-feed"
  | "wordpress-theme"
  | "wordpress-plugin"
  | "drupal-changelog"
  | "joomla-manifest"
  | "platform-hash";

/** A fetched metadata file: a theme's style.css, a plugin's readme.txt, a CHANGELOG.txt, ... */
export interface VersionFile {
  url: string;
  reader: VersionFileReader;
  content: string;
  /** The sha-256 of the whole body, for a platform's static file (`platform-hash`) read in full. */
  sha256?: string;
}
