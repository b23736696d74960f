import { load, type CheerioAPI } from "cheerio";
import { parse as parseDomain } from "tldts";
import type { EvidenceSet } from "../evidence";
import type { SecurityTest } from "../result";
import type { Headers, HttpProbe, PageSnapshot } from "../types";
import { analyseCsp } from "./csp";
import { cookieEvidence, hasInvalidSameSite, isAntiCsrfCookie, isSessionCookie } from "./cookies";
import { isHtmlResponse } from "./observatory-retriever";
import { OBSERVATORY_SCORES, gradeForScore, scoreModifiers } from "./observatory-scores";

/**
 * Grades a page's HTTP response the way the MDN HTTP Observatory
 * (@mdn/mdn-http-observatory 1.4.8, algorithm 4) does. Each test mirrors the
 * Observatory's analyzer; `retrieveForObservatory` collects its inputs as the
 * Observatory's retriever does, and the input docs below say what each is.
 */
export interface HeaderGradeInput {
  /**
   * The graded response (after redirects) and its HTML. It counts as https
   * when it was requested over https://, as the Observatory's session URL.
   */
  page: PageSnapshot;
  /** Whether the https response's certificate chain verified; unknown counts as verified. */
  certificateValid?: boolean | null;
  /**
   * The redirect chain of the http:// request, for the redirection test: null
   * when http:// did not answer. When absent and `page` itself was requested
   * over http://, the page's own redirect chain is used.
   */
  httpProbe?: HttpProbe | null;
  /**
   * The answer to the CORS probe (OPTIONS with an Origin header): null when
   * it failed or was not 2xx. `requestOrigin` is the Origin the analyzer can
   * read back from the request. When absent, the page's own headers are used.
   */
  cors?: { requestOrigin: string | null; url: string; headers: Headers } | null;
}

export interface HeaderGrade {
  score: number;
  grade: string;
  tests: SecurityTest[];
}

const COLLECTOR = "observatory";
/** Cookies the Observatory ignores (mozilla/http-observatory#282). */
const IGNORED_COOKIES = new Set(["heroku-session-affinity"]);
/** 15768000 s is six months, but many sites use 15552000; the Observatory accepts that. */
const SIX_MONTHS = 15552000;

/** Everything a test needs, read once from the page. */
class ObservedResponse {
  readonly $: CheerioAPI | null;
  readonly #evidence: EvidenceSet;
  constructor(
    readonly page: PageSnapshot,
    evidence: EvidenceSet,
  ) {
    this.#evidence = evidence;
    this.$ = this.isHtml() ? load(page.html) : null;
  }

  /** Requested over https:// (the Observatory asks its session's URL, not where it ended). */
  get https(): boolean {
    return this.page.requestedUrl.startsWith("https:");
  }

  isHtml(): boolean {
    return isHtmlResponse(this.page.headers);
  }

  /**
   * A header as the Observatory's HTTP client (Node) presents it: repeated
   * fields joined with ", " into one value; absent → null.
   */
  header(name: string): string | null {
    const values = this.page.headers[name];
    return values && values.length > 0 ? values.join(", ") : null;
  }

  headerEvidence(name: string): string[] {
    const values = this.page.headers[name];
    if (!values || values.length === 0) return [];
    const display = name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
    return [
      this.#evidence.add({
        kind: "header",
        collector: COLLECTOR,
        url: this.page.url,
        locator: name,
        snippet: values.map((v) => `${display}: ${v}`).join("\n"),
      }).id,
    ];
  }

  /** Proof of absence: the status line and the names of every header the response had. */
  responseEvidence(): string {
    const names = Object.keys(this.page.headers).sort();
    return this.#evidence.add({
      kind: "page",
      collector: COLLECTOR,
      url: this.page.url,
      locator: "response headers",
      snippet: [`HTTP ${this.page.status} ${this.page.url}`, ...names].join("\n"),
    }).id;
  }

  /** <meta http-equiv="Content-Security-Policy"> contents, as the Observatory reads them. */
  metaCsp(): { policies: string[]; evidence: string[] } {
    const policies: string[] = [];
    const ids: string[] = [];
    this.$?.("meta").each((_, el) => {
      const meta = this.$!(el);
      const equiv = meta.attr("http-equiv");
      const content = meta.attr("content");
      if (equiv === undefined || content === undefined) return;
      if (equiv.toLowerCase().trim() !== "content-security-policy" || !content) return;
      policies.push(content);
      ids.push(this.metaEvidence(this.$!.html(meta), "meta[http-equiv=content-security-policy]"));
    });
    return { policies, evidence: ids };
  }

  /** The last <meta name="referrer"> (a tag with http-equiv and content is not one). */
  metaReferrer(): { policy: string; evidence: string } | null {
    let found: { policy: string; evidence: string } | null = null;
    this.$?.("meta").each((_, el) => {
      const meta = this.$!(el);
      if (meta.attr("http-equiv") !== undefined && meta.attr("content") !== undefined) return;
      if (meta.attr("name")?.toLowerCase().trim() !== "referrer") return;
      const content = meta.attr("content");
      if (content)
        found = { policy: content, evidence: this.metaEvidence(this.$!.html(meta), "meta[name=referrer]") };
    });
    return found;
  }

  metaEvidence(snippet: string, locator: string): string {
    return this.#evidence.add({ kind: "meta", collector: COLLECTOR, url: this.page.url, locator, snippet })
      .id;
  }

  scriptEvidence(snippet: string, src: string): string {
    return this.#evidence.add({
      kind: "html",
      collector: COLLECTOR,
      url: this.page.url,
      locator: `script[src="${src}"]`,
      snippet,
    }).id;
  }

  routeEvidence(probe: HttpProbe): string {
    const lines = probe.redirects.map((r) => `${r.status} ${r.url} -> ${r.location}`);
    lines.push(`${probe.status} ${probe.url}`);
    return this.#evidence.add({
      kind: "url",
      collector: COLLECTOR,
      url: probe.requestedUrl,
      locator: "redirect chain",
      snippet: lines.join("\n"),
    }).id;
  }

  corsEvidence(cors: NonNullable<HeaderGradeInput["cors"]>): string {
    const lines = Object.entries(cors.headers)
      .filter(([name]) => name.startsWith("access-control-"))
      .flatMap(([name, values]) => values.map((v) => `${name}: ${v}`));
    return this.#evidence.add({
      kind: "header",
      collector: COLLECTOR,
      url: cors.url,
      locator: "OPTIONS with Origin",
      snippet: lines.join("\n"),
    }).id;
  }

  cookieEvidence(index: number): string {
    return cookieEvidence(this.#evidence, this.page.url, this.page.cookies[index]!, COLLECTOR);
  }
}

interface Outcome {
  result: string;
  pass: boolean;
  evidence: string[];
}

function test(name: string, outcome: Outcome): SecurityTest {
  const score = OBSERVATORY_SCORES[outcome.result];
  if (!score) throw new Error(`no score for Observatory result ${outcome.result}`);
  return {
    name,
    pass: outcome.pass,
    scoreModifier: score.modifier,
    result: outcome.result,
    description: score.description,
    evidence: outcome.evidence,
  };
}

/** Of two results, the one later in `order` (worse) wins. */
function worse(next: string, current: string | null, order: string[]): string {
  if (current === null) return next;
  return order.indexOf(next) > order.indexOf(current) ? next : current;
}

function cspOutcome(r: ObservedResponse) {
  const headerValue = r.header("content-security-policy");
  const headerPolicies = headerValue === null ? [] : [headerValue];
  const meta = r.metaCsp();
  const analysis = analyseCsp({
    headerPolicies,
    metaPolicies: meta.policies,
    reportOnly: r.header("content-security-policy-report-only") !== null,
    https: r.https,
  });
  const evidence = [...r.headerEvidence("content-security-policy"), ...meta.evidence];
  if (analysis.result === "csp-not-implemented-but-reporting-enabled") {
    evidence.push(...r.headerEvidence("content-security-policy-report-only"));
  }
  if (evidence.length === 0) evidence.push(r.responseEvidence());
  return { outcome: { result: analysis.result, pass: analysis.pass, evidence }, analysis };
}

function hstsOutcome(r: ObservedResponse, certificateValid: boolean): Outcome {
  if (!r.https)
    return { result: "hsts-not-implemented-no-https", pass: false, evidence: [r.responseEvidence()] };
  if (!certificateValid)
    return { result: "hsts-invalid-cert", pass: false, evidence: [r.responseEvidence()] };
  const header = r.header("strict-transport-security");
  if (header === null)
    return { result: "hsts-not-implemented", pass: false, evidence: [r.responseEvidence()] };
  const evidence = r.headerEvidence("strict-transport-security");
  // A comma means the header was sent twice: the Observatory calls that invalid.
  const data = header.slice(0, 1024);
  let maxAge: number | null = null;
  for (const parameter of data.split(";").map((p) => p.trim().toLowerCase())) {
    if (parameter.startsWith("max-age=")) maxAge = parseInt(parameter.slice(8, 128), 10);
  }
  if (data.includes(",") || maxAge === null) return { result: "hsts-header-invalid", pass: false, evidence };
  // NaN (max-age=abc) is not below six months, exactly as in the Observatory.
  if (maxAge < SIX_MONTHS)
    return { result: "hsts-implemented-max-age-less-than-six-months", pass: false, evidence };
  return { result: "hsts-implemented-max-age-at-least-six-months", pass: true, evidence };
}

const COOKIE_ORDER = [
  "cookies-without-secure-flag-but-protected-by-hsts",
  "cookies-without-secure-flag",
  "cookies-session-without-secure-flag-but-protected-by-hsts",
  "cookies-samesite-flag-invalid",
  "cookies-anticsrf-without-samesite-flag",
  "cookies-session-without-httponly-flag",
  "cookies-session-without-secure-flag",
];

function cookiesOutcome(r: ObservedResponse, hstsPass: boolean): Outcome {
  let result: string | null = null;
  const evidence: string[] = [];
  for (const raw of r.page.headers["set-cookie"] ?? []) {
    if (hasInvalidSameSite(raw)) {
      result = worse("cookies-samesite-flag-invalid", result, COOKIE_ORDER);
      evidence.push(...r.headerEvidence("set-cookie"));
    }
  }
  const cookies = r.page.cookies
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.name && !IGNORED_COOKIES.has(c.name));
  if (cookies.length === 0) {
    return { result: "cookies-not-found", pass: true, evidence: [r.responseEvidence()] };
  }
  let missingSameSite = false;
  for (const { c, i } of cookies) {
    const before = result;
    const session = isSessionCookie(c.name);
    if (!c.secure && c.sameSite === "None")
      result = worse("cookies-samesite-flag-invalid", result, COOKIE_ORDER);
    if (!c.secure) {
      result = worse(
        hstsPass ? "cookies-without-secure-flag-but-protected-by-hsts" : "cookies-without-secure-flag",
        result,
        COOKIE_ORDER,
      );
    }
    if (isAntiCsrfCookie(c.name) && !c.sameSite)
      result = worse("cookies-anticsrf-without-samesite-flag", result, COOKIE_ORDER);
    if (session && !c.secure) {
      result = worse(
        hstsPass
          ? "cookies-session-without-secure-flag-but-protected-by-hsts"
          : "cookies-session-without-secure-flag",
        result,
        COOKIE_ORDER,
      );
    }
    if (session && !c.httpOnly) result = worse("cookies-session-without-httponly-flag", result, COOKIE_ORDER);
    if (!c.sameSite) missingSameSite = true;
    // Cite the cookies that decided the result (or every cookie when all are fine).
    if (result !== before || result === null) evidence.push(r.cookieEvidence(i));
  }
  if (result === null) {
    result = missingSameSite
      ? "cookies-secure-with-httponly-sessions"
      : "cookies-secure-with-httponly-sessions-and-samesite";
  }
  const pass = [
    "cookies-not-found",
    "cookies-secure-with-httponly-sessions-and-samesite",
    "cookies-secure-with-httponly-sessions",
  ].includes(result);
  return { result, pass, evidence: [...new Set(evidence)] };
}

function corsOutcome(r: ObservedResponse, cors: HeaderGradeInput["cors"]): Outcome {
  const headers = cors === undefined ? r.page.headers : (cors?.headers ?? {});
  const acao = headers["access-control-allow-origin"]?.join(", ") ?? null;
  const credentials = headers["access-control-allow-credentials"]?.join(", ") ?? null;
  if (!acao)
    return {
      result: "cross-origin-resource-sharing-not-implemented",
      pass: true,
      evidence: [r.responseEvidence()],
    };
  const evidence = cors
    ? [r.corsEvidence(cors)]
    : [
        ...r.headerEvidence("access-control-allow-origin"),
        ...r.headerEvidence("access-control-allow-credentials"),
      ];
  const data = acao.slice(0, 256).trim().toLowerCase();
  if (data === "*")
    return { result: "cross-origin-resource-sharing-implemented-with-public-access", pass: true, evidence };
  if (cors?.requestOrigin && cors.requestOrigin === acao && credentials?.toLowerCase().trim() === "true") {
    return {
      result: "cross-origin-resource-sharing-implemented-with-universal-access",
      pass: false,
      evidence,
    };
  }
  return { result: "cross-origin-resource-sharing-implemented-with-restricted-access", pass: true, evidence };
}

/** The http:// route: every URL visited, first to last. */
function httpRoute(input: HeaderGradeInput): HttpProbe | null | undefined {
  if (input.httpProbe !== undefined) return input.httpProbe;
  if (input.page.requestedUrl.startsWith("http:")) return input.page;
  return undefined;
}

function redirectionOutcome(
  r: ObservedResponse,
  input: HeaderGradeInput,
  certificateValid: boolean,
): Outcome | null {
  const probe = httpRoute(input);
  if (probe === undefined) return null;
  if (probe === null) return { result: "redirection-not-needed-no-http", pass: true, evidence: [] };
  const evidence = [r.routeEvidence(probe)];
  const route = [...probe.redirects.map((h) => new URL(h.url)), new URL(probe.url)];
  const last = route[route.length - 1]!;
  const verified = probe.verified ?? (last.protocol !== "https:" || certificateValid);
  if (!verified) return { result: "redirection-invalid-cert", pass: false, evidence };
  // (The Observatory first checks every host against the HSTS preload list; that list is not available offline.)
  if (route.length === 1) return { result: "redirection-missing", pass: false, evidence };
  if (last.protocol !== "https:") return { result: "redirection-not-to-https", pass: false, evidence };
  if (route[1]!.protocol === "http:")
    return { result: "redirection-not-to-https-on-initial-redirection", pass: false, evidence };
  if (route[0]!.protocol === "http:" && route[0]!.hostname !== route[1]!.hostname) {
    return { result: "redirection-off-host-from-http", pass: false, evidence };
  }
  return { result: "redirection-to-https", pass: true, evidence };
}

const REFERRER_PRIVATE = ["no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"];
const REFERRER_UNSAFE = ["origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"];

function referrerOutcome(r: ObservedResponse): Outcome {
  const header = r.header("referrer-policy");
  const meta = r.metaReferrer();
  if (header === null && meta === null) {
    return { result: "referrer-policy-not-implemented", pass: true, evidence: [r.responseEvidence()] };
  }
  // Header first, then the meta tag: the last valid token wins.
  const data = [header, meta?.policy].filter((v) => v !== null && v !== undefined).join(", ");
  const evidence = [...r.headerEvidence("referrer-policy"), ...(meta ? [meta.evidence] : [])];
  const valid = [...REFERRER_PRIVATE, ...REFERRER_UNSAFE];
  const policy =
    data
      .split(",")
      .map((t) => t.toLowerCase().trim())
      .filter((t) => valid.includes(t))
      .at(-1) ?? "";
  if (REFERRER_PRIVATE.includes(policy)) return { result: "referrer-policy-private", pass: true, evidence };
  if (REFERRER_UNSAFE.includes(policy)) return { result: "referrer-policy-unsafe", pass: false, evidence };
  return { result: "referrer-policy-header-invalid", pass: false, evidence };
}

const SRI_ORDER = [
  "sri-implemented-and-all-scripts-loaded-securely",
  "sri-implemented-and-external-scripts-loaded-securely",
  "sri-implemented-but-external-scripts-not-loaded-securely",
  "sri-not-implemented-but-external-scripts-loaded-securely",
  "sri-not-implemented-and-external-scripts-not-loaded-securely",
  "sri-not-implemented-response-not-html",
];

/**
 * The Observatory reads `script.src` from a DOM with no base URL: absolute
 * URLs come back normalised, anything relative comes back as written.
 */
function reflectedSrc(raw: string): string {
  return URL.canParse(raw) ? new URL(raw).href : raw;
}

function sriOutcome(r: ObservedResponse): Outcome {
  if (!r.$)
    return { result: "sri-not-implemented-response-not-html", pass: true, evidence: [r.responseEvidence()] };
  const $ = r.$;
  const siteDomain = parseDomain(new URL(r.page.requestedUrl).hostname).domain;
  const scripts = $("script").toArray();
  let result: string | null = null;
  let scriptsOnForeignOrigin = false;
  const evidence: string[] = [];
  for (const element of scripts) {
    const el = $(element);
    const rawSrc = el.attr("src");
    const src = rawSrc === undefined ? "" : reflectedSrc(rawSrc);
    if (!src) continue;
    const integrity = el.attr("integrity");
    let relativeOrigin = false;
    let relativeProtocol = false;
    let sameSecondLevelDomain: boolean;
    if (/^(\/\/)[^/]/.test(src)) {
      relativeProtocol = true;
      sameSecondLevelDomain = true;
    } else if (/^https?:\/\//.test(src)) {
      sameSecondLevelDomain = parseDomain(src).domain === siteDomain;
    } else {
      relativeOrigin = true;
      sameSecondLevelDomain = true;
    }
    const secureOrigin = relativeOrigin || (sameSecondLevelDomain && !relativeProtocol);
    if (!secureOrigin) scriptsOnForeignOrigin = true;
    const scheme = !relativeProtocol && !relativeOrigin && URL.canParse(src) ? new URL(src).protocol : null;
    const secureScheme = scheme === "https:" || (relativeOrigin && r.https);
    const before: string | null = result;
    if (!secureOrigin) {
      if (integrity && !secureScheme) {
        result = worse("sri-implemented-but-external-scripts-not-loaded-securely", result, SRI_ORDER);
      } else if (!integrity && secureScheme) {
        result = worse("sri-not-implemented-but-external-scripts-loaded-securely", result, SRI_ORDER);
      } else if (!integrity && !secureScheme) {
        result = worse("sri-not-implemented-and-external-scripts-not-loaded-securely", result, SRI_ORDER);
      }
    } else if (integrity && secureScheme && !result) {
      // The Observatory grants the bonus even for SRI on same-origin scripts.
      result = "sri-implemented-and-all-scripts-loaded-securely";
    }
    if (!secureOrigin || result !== before) evidence.push(r.scriptEvidence($.html(el), rawSrc!));
  }
  if (scripts.length === 0) {
    result = "sri-not-implemented-but-no-scripts-loaded";
  } else if (!result) {
    result = scriptsOnForeignOrigin
      ? "sri-implemented-and-external-scripts-loaded-securely"
      : "sri-not-implemented-but-all-scripts-loaded-from-secure-origin";
  }
  if (evidence.length === 0) {
    evidence.push(
      r.metaEvidence(
        scripts.length ? scripts.map((s) => $.html(s)).join("\n") : "(no <script> elements)",
        "script",
      ),
    );
  }
  const pass = [
    "sri-implemented-and-all-scripts-loaded-securely",
    "sri-implemented-and-external-scripts-loaded-securely",
    "sri-not-implemented-response-not-html",
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
    "sri-not-implemented-but-no-scripts-loaded",
  ].includes(result);
  return { result, pass, evidence: [...new Set(evidence)] };
}

function xContentTypeOptionsOutcome(r: ObservedResponse): Outcome {
  const header = r.header("x-content-type-options");
  if (!header)
    return {
      result: "x-content-type-options-not-implemented",
      pass: false,
      evidence: [r.responseEvidence()],
    };
  const evidence = r.headerEvidence("x-content-type-options");
  if (header.slice(0, 256).trim().toLowerCase() === "nosniff")
    return { result: "x-content-type-options-nosniff", pass: true, evidence };
  return { result: "x-content-type-options-header-invalid", pass: false, evidence };
}

function xFrameOptionsOutcome(r: ObservedResponse, csp: ReturnType<typeof cspOutcome>): Outcome {
  const header = r.header("x-frame-options");
  let result: string;
  const evidence = r.headerEvidence("x-frame-options");
  if (header) {
    const xfo = header.slice(0, 1024).trim().toLowerCase();
    if (xfo === "deny" || xfo === "sameorigin") result = "x-frame-options-sameorigin-or-deny";
    else if (xfo.startsWith("allow-from")) result = "x-frame-options-allow-from-origin";
    else result = "x-frame-options-header-invalid";
  } else {
    result = "x-frame-options-not-implemented";
  }
  if (csp.analysis.data?.["frame-ancestors"]) {
    result = "x-frame-options-implemented-via-csp";
    evidence.push(...csp.outcome.evidence);
  }
  if (evidence.length === 0) evidence.push(r.responseEvidence());
  const pass = [
    "x-frame-options-allow-from-origin",
    "x-frame-options-sameorigin-or-deny",
    "x-frame-options-implemented-via-csp",
  ].includes(result);
  return { result, pass, evidence: [...new Set(evidence)] };
}

function corpOutcome(r: ObservedResponse): Outcome {
  const header = r.header("cross-origin-resource-policy");
  if (!header) return { result: "corp-not-implemented", pass: true, evidence: [r.responseEvidence()] };
  const evidence = r.headerEvidence("cross-origin-resource-policy");
  const value = header.slice(0, 256).trim().toLowerCase();
  if (value === "same-site") return { result: "corp-implemented-with-same-site", pass: true, evidence };
  if (value === "same-origin") return { result: "corp-implemented-with-same-origin", pass: true, evidence };
  if (value === "cross-origin") return { result: "corp-implemented-with-cross-origin", pass: true, evidence };
  return { result: "corp-header-invalid", pass: false, evidence };
}

/** Run the Observatory's ten tests on the home page and score them. */
export function gradeHeaders(input: HeaderGradeInput, evidence: EvidenceSet): HeaderGrade {
  const r = new ObservedResponse(input.page, evidence);
  const certificateValid = input.certificateValid ?? true;
  const csp = cspOutcome(r);
  const hsts = hstsOutcome(r, certificateValid);
  const redirection = redirectionOutcome(r, input, certificateValid);
  const tests: SecurityTest[] = [
    test("content-security-policy", csp.outcome),
    test("cookies", cookiesOutcome(r, hsts.pass)),
    test("cross-origin-resource-sharing", corsOutcome(r, input.cors)),
    redirection
      ? test("redirection", redirection)
      : {
          name: "redirection",
          pass: false,
          scoreModifier: 0,
          result: "redirection-not-tested",
          description: "The site was not fetched over plain http://, so where http:// redirects is unknown.",
          evidence: [],
        },
    test("referrer-policy", referrerOutcome(r)),
    test("strict-transport-security", hsts),
    test("subresource-integrity", sriOutcome(r)),
    test("x-content-type-options", xContentTypeOptionsOutcome(r)),
    test("x-frame-options", xFrameOptionsOutcome(r, csp)),
    test("cross-origin-resource-policy", corpOutcome(r)),
  ];
  return { ...gradeForScore(scoreModifiers(tests.map((t) => t.scoreModifier))), tests };
}
