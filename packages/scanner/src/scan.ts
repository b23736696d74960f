import { z } from "zod";
import { crawlSite, type CrawlResult } from "./crawl";
import {
  DEFAULT_RENDER_MAX_HTML_CHARS,
  DEFAULT_RENDER_PAGE_TIMEOUT_MS,
  DEFAULT_USER_AGENT,
  type BrowserLaunch,
} from "./env";
import { EvidenceSet, type Evidence } from "./evidence";
import { detectTechnologies, fingerprintDomProperties, fingerprintJsGlobals } from "./fingerprints";
import {
  ByteBudget,
  FetchError,
  SafeFetcher,
  formatSeconds,
  ipLiteral,
  parseFetchUrl,
  type Resolver,
} from "./net";
import { renderPages } from "./render";
import type {
  PageOutcome,
  PerformanceReport,
  ScanError,
  ScanResult,
  SecurityReport,
  TechnologyFinding,
  ThirdPartyFinding,
  VulnerabilityFinding,
} from "./result";
import { assessSecurity, collectDns, collectTls, retrieveForObservatory } from "./security";
import { summarisePerformance, summariseThirdParties } from "./thirdparty";
import type { DnsInfo, PageSnapshot, SiteContext, TlsInfo } from "./types";
import { platformVersionFiles } from "./versions/fetch";
import { findVulnerableLibraries } from "./vulns";

const MAX_URL_LENGTH = 2048;
/** Launching and closing the browser, on top of the pages' own deadlines. */
const RENDER_STAGE_SLACK_MS = 60_000;

/** A scan target: an absolute http(s) URL with a host and no credentials. */
export const ScanUrlSchema = z
  .string({ error: "url must be a string" })
  .trim()
  .min(1, "url is empty")
  .max(MAX_URL_LENGTH, `url is longer than ${MAX_URL_LENGTH} characters`)
  .superRefine((value, ctx) => {
    try {
      parseFetchUrl(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `url ${(error as Error).message}` });
    }
  });

/** Every tunable of a scan, as plain data (what a job row can store). */
export const ScanOptionsSchema = z.object({
  maxPages: z
    .number()
    .int()
    .min(1, "maxPages must be at least 1")
    .max(500, "maxPages must be at most 500")
    .default(20),
  maxDepth: z.number().int().min(0).max(10, "maxDepth must be at most 10").default(3),
  render: z.boolean().default(true),
  /** Pages rendered besides the home page. */
  renderPages: z.number().int().min(0).max(20, "renderPages must be at most 20").default(2),
  /** The operator's setting is `loadScannerEnv().scanOptions`, which callers spread in. */
  allowPrivate: z.union([z.boolean(), z.literal("loopback")]).default(false),
  requestTimeoutMs: z.number().int().min(100).max(120_000).default(15_000),
  scanTimeoutMs: z.number().int().min(1_000).max(3_600_000).default(300_000),
  maxResponseBytes: z
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(5 * 1024 * 1024),
  maxTotalBytes: z
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(100 * 1024 * 1024),
  maxRedirects: z.number().int().min(0).max(30).default(10),
  crawlDelayMs: z.number().int().min(0).max(60_000).default(250),
  concurrency: z.number().int().min(1).max(8).default(2),
  screenshots: z.boolean().default(true),
  /** Deadline of one page's render; a page that holds the browser longer is recorded as timed out. */
  renderPageTimeoutMs: z.number().int().min(1_000).max(600_000).default(DEFAULT_RENDER_PAGE_TIMEOUT_MS),
  /** Characters of rendered HTML kept per page. */
  renderMaxHtmlChars: z.number().int().min(10_000).max(50_000_000).default(DEFAULT_RENDER_MAX_HTML_CHARS),
  /** TLS handshake and DNS records of the host (network; off for offline tests). */
  collectTls: z.boolean().default(true),
  collectDns: z.boolean().default(true),
  userAgent: z.string().min(1).max(300).default(DEFAULT_USER_AGENT),
});

export type ScanSettings = z.output<typeof ScanOptionsSchema>;

export interface ScanProgress {
  stage: string;
  message: string;
  /** 0–1 */
  progress: number;
}

/** What is not plain data: callbacks, cancellation and (tests) the DNS resolver. */
export interface ScanRuntime {
  onProgress?: (event: ScanProgress) => void;
  /** Cancels the scan: fetches stop and the browser closes at once. */
  signal?: AbortSignal;
  resolver?: Resolver;
  /** Shared by every stage of one scan; a fresh one per stage when absent. */
  budget?: ByteBudget;
  /** How Chromium starts (`loadScannerEnv().browser`); default: `browserLaunchFromProcess()`. */
  browser?: BrowserLaunch;
}

export type ScanOptions = z.input<typeof ScanOptionsSchema> & ScanRuntime;

/** Bad scan input, with a message that names what is wrong. */
export class ScanInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScanInputError";
  }
}

export function parseScanUrl(url: unknown): string {
  const parsed = ScanUrlSchema.safeParse(url);
  if (!parsed.success) throw new ScanInputError(parsed.error.issues[0]!.message);
  return parsed.data;
}

export function parseScanOptions(options: unknown): ScanSettings {
  const parsed = ScanOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    throw new ScanInputError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "options"}: ${issue.message}`).join("; "),
    );
  }
  return parsed.data;
}

function fetcherFor(settings: ScanSettings, runtime: ScanRuntime, verifyCertificates = true): SafeFetcher {
  return new SafeFetcher({
    verifyCertificates,
    allowPrivate: settings.allowPrivate,
    maxRedirects: settings.maxRedirects,
    maxResponseBytes: settings.maxResponseBytes,
    requestTimeoutMs: settings.requestTimeoutMs,
    userAgent: settings.userAgent,
    budget: runtime.budget ?? new ByteBudget(settings.maxTotalBytes),
    ...(runtime.signal ? { signal: runtime.signal } : {}),
    ...(runtime.resolver ? { resolver: runtime.resolver } : {}),
  });
}

// ---- Stages: each takes and returns plain data, so a job runner can checkpoint between them. ----

/** Stage 1: static crawl. Throws FetchError when the start URL itself is refused by the address policy. */
export async function crawlStage(
  url: string,
  settings: ScanSettings,
  runtime: ScanRuntime = {},
): Promise<CrawlResult> {
  const fetcher = fetcherFor(settings, runtime);
  try {
    await fetcher.assertAllowed(url);
    return await crawlSite(url, fetcher, {
      maxPages: settings.maxPages,
      maxDepth: settings.maxDepth,
      concurrency: settings.concurrency,
      delayMs: settings.crawlDelayMs,
      onPage: ({ url: pageUrl, pagesDone, maxPages, error }) =>
        runtime.onProgress?.({
          stage: "crawl",
          message: error ? `${pageUrl}: ${error}` : `crawled ${pagesDone}/${maxPages}: ${pageUrl}`,
          progress: 0.05 + 0.45 * Math.min(1, pagesDone / maxPages),
        }),
    });
  } finally {
    await fetcher.close();
  }
}

export interface RenderStageResult {
  pages: PageSnapshot[];
  errors: ScanError[];
}

/** Stage 2: render the home page and the next `renderPages` crawled pages in Chromium. */
export async function renderStage(
  crawl: CrawlResult,
  settings: ScanSettings,
  runtime: ScanRuntime = {},
): Promise<RenderStageResult> {
  if (!settings.render || crawl.pages.length === 0) return { pages: [], errors: [] };
  const urls = crawl.pages
    .filter((page) => !page.probe)
    .slice(0, 1 + settings.renderPages)
    .map((page) => page.url);
  runtime.onProgress?.({
    stage: "render",
    message: `rendering ${urls.length} page(s) in Chromium`,
    progress: 0.55,
  });
  // Every page has its own deadline; this one holds even if closing a page or the browser hangs.
  const stageTimeoutMs = RENDER_STAGE_SLACK_MS + urls.length * settings.renderPageTimeoutMs;
  const stageDeadline = AbortSignal.timeout(stageTimeoutMs);
  const signal = runtime.signal ? AbortSignal.any([runtime.signal, stageDeadline]) : stageDeadline;
  const fetcher = fetcherFor(settings, { ...runtime, signal });
  try {
    const outcomes = await renderPages(urls, fetcher, {
      jsGlobals: fingerprintJsGlobals(),
      domProperties: fingerprintDomProperties(),
      screenshot: settings.screenshots,
      navigationTimeoutMs: Math.min(settings.requestTimeoutMs * 2, settings.renderPageTimeoutMs),
      pageTimeoutMs: settings.renderPageTimeoutMs,
      maxHtmlChars: settings.renderMaxHtmlChars,
      ...(runtime.browser ? { browser: runtime.browser } : {}),
    });
    return {
      pages: outcomes.flatMap((outcome) => (outcome.page ? [outcome.page] : [])),
      errors: [
        ...outcomes.flatMap((outcome) =>
          outcome.error ? [{ url: outcome.url, stage: "render", message: outcome.error }] : [],
        ),
        ...(stageDeadline.aborted && !runtime.signal?.aborted
          ? [
              {
                url: crawl.origin,
                stage: "render",
                message: `render stage time limit of ${formatSeconds(stageTimeoutMs)} reached`,
              },
            ]
          : []),
      ],
    };
  } catch (error) {
    // A browser that cannot start is a failed stage, not a failed scan.
    return {
      pages: [],
      errors: [
        {
          url: crawl.origin,
          stage: "render",
          message: `render failed: ${(error as Error).message.split("\n")[0]}`,
        },
      ],
    };
  } finally {
    await fetcher.close();
  }
}

export interface SiteContextStageResult {
  site: SiteContext;
  errors: ScanError[];
}

/**
 * Stage 3: site-level context — robots.txt (from the crawl), TLS, DNS, the
 * Observatory's requests for the header grade (http:// and https:// forms of
 * the start URL, CORS probe) and the metadata files that state the versions
 * of the platform the crawled pages show (robots.txt respected).
 */
export async function siteContextStage(
  crawl: CrawlResult,
  settings: ScanSettings,
  runtime: ScanRuntime = {},
): Promise<SiteContextStageResult> {
  runtime.onProgress?.({
    stage: "context",
    message: "collecting TLS, DNS, redirection and version files",
    progress: 0.72,
  });
  const origin = new URL(crawl.origin);
  const errors: ScanError[] = [];
  const attempt = async <T>(stage: string, run: () => Promise<T>): Promise<T | null> => {
    try {
      return await run();
    } catch (error) {
      errors.push({ url: crawl.origin, stage, message: (error as Error).message });
      return null;
    }
  };
  const tls: TlsInfo | null =
    settings.collectTls && origin.protocol === "https:"
      ? await attempt("tls", () =>
          collectTls(origin.hostname, Number(origin.port || 443), {
            allowPrivate: settings.allowPrivate,
            timeoutMs: settings.requestTimeoutMs,
            ...(runtime.resolver ? { resolver: runtime.resolver } : {}),
          }),
        )
      : null;
  const dns: DnsInfo | null =
    settings.collectDns && !ipLiteral(origin.hostname)
      ? await attempt("dns", () =>
          collectDns(origin.hostname, { timeoutMs: Math.min(settings.requestTimeoutMs, 5_000) }),
        )
      : null;
  // Its requests (one fetcher each) share one byte budget: the scan's, or this stage's own.
  const budget = runtime.budget ?? new ByteBudget(settings.maxTotalBytes);
  const observatory = await retrieveForObservatory(crawl.startUrl, (verify) =>
    fetcherFor(settings, { ...runtime, budget }, verify),
  );
  const fetcher = fetcherFor(settings, { ...runtime, budget });
  const versionFiles = await attempt("versions", async () => {
    try {
      return await platformVersionFiles(crawl.pages, crawl.origin, crawl.robots, fetcher);
    } finally {
      await fetcher.close();
    }
  });
  return {
    site: {
      origin: crawl.origin,
      robotsTxt: crawl.robots.text,
      tls,
      dns,
      observatory,
      ...(versionFiles?.length ? { versionFiles } : {}),
    },
    errors,
  };
}

export interface AnalysisResult {
  technologies: TechnologyFinding[];
  security: SecurityReport | null;
  vulnerabilities: VulnerabilityFinding[];
  performance: PerformanceReport;
  thirdParties: ThirdPartyFinding[];
  evidence: Evidence[];
}

/** Stage 4: technologies from every static and rendered page. */
export function detectStage(
  pages: PageSnapshot[],
  site: SiteContext,
): { technologies: TechnologyFinding[]; evidence: Evidence[] } {
  const evidence = new EvidenceSet();
  const technologies = detectTechnologies(pages, site, evidence);
  return { technologies, evidence: evidence.list() };
}

/** Stage 5: security posture — Observatory header grade of the home page, cookies, mixed content, TLS, DNS. */
export function securityStage(
  home: PageSnapshot | undefined,
  site: SiteContext,
): { security: SecurityReport | null; evidence: Evidence[] } {
  if (!home) return { security: null, evidence: [] };
  const evidence = new EvidenceSet();
  const security = assessSecurity(home, site, evidence);
  return { security, evidence: evidence.list() };
}

/** Stage 6: known-vulnerable JS libraries (retire.js data, offline). */
export function vulnsStage(pages: PageSnapshot[]): {
  vulnerabilities: VulnerabilityFinding[];
  evidence: Evidence[];
} {
  const evidence = new EvidenceSet();
  const vulnerabilities = findVulnerableLibraries(pages, evidence);
  return { vulnerabilities, evidence: evidence.list() };
}

/**
 * Stage 7: page weight and third parties. Rendered pages carry every request;
 * pages only fetched statically stand for their own document.
 */
export function performanceStage(
  staticPages: PageSnapshot[],
  renderedPages: PageSnapshot[],
): { performance: PerformanceReport; thirdParties: ThirdPartyFinding[]; evidence: Evidence[] } {
  const renderedUrls = new Set(renderedPages.map((page) => page.url));
  // An error-page probe is a request of ours, not a page of the site: it weighs nothing here.
  const pages = [
    ...renderedPages,
    ...staticPages.filter((page) => !renderedUrls.has(page.url) && !page.probe),
  ];
  const evidence = new EvidenceSet();
  const performance = summarisePerformance(pages, evidence);
  const thirdParties = summariseThirdParties(pages, evidence);
  return { performance, thirdParties, evidence: evidence.list() };
}

function mergeEvidence(...lists: Evidence[][]): Evidence[] {
  const byId = new Map<string, Evidence>();
  for (const list of lists) for (const item of list) if (!byId.has(item.id)) byId.set(item.id, item);
  return [...byId.values()];
}

function pageOutcomes(crawl: CrawlResult, rendered: RenderStageResult): PageOutcome[] {
  const renderedByUrl = new Map(rendered.pages.map((page) => [page.url, page]));
  const renderErrors = new Map(rendered.errors.map((error) => [error.url, error.message]));
  return [
    ...crawl.pages.map((page): PageOutcome => {
      const view = renderedByUrl.get(page.url);
      return {
        url: page.requestedUrl,
        finalUrl: page.url,
        status: page.status,
        bytes: view?.bytes ?? page.bytes,
        rendered: view !== undefined,
        durationMs: view?.timings?.loadMs ?? crawl.fetchMs[page.url] ?? 0,
        error: renderErrors.get(page.url) ?? null,
        ...(view?.screenshotPng ? { screenshotPng: view.screenshotPng } : {}),
      };
    }),
    ...crawl.failures.map((failure): PageOutcome => ({
      url: failure.url,
      finalUrl: null,
      status: null,
      bytes: 0,
      rendered: false,
      durationMs: 0,
      error: failure.message,
    })),
  ];
}

/**
 * Scan one site: validate → crawl (static) → render the top pages → site
 * context → technologies → security → vulnerable libraries → performance and
 * third parties, every finding citing its evidence. Page-level failures are
 * reported in `errors`; a refused or invalid start URL throws (ScanInputError
 * or FetchError), and so does cancelling through `signal`.
 */
export async function scanSite(url: string, options: ScanOptions = {}): Promise<ScanResult> {
  const { onProgress, signal, resolver, budget, browser, ...plain } = options;
  const target = parseScanUrl(url);
  const settings = parseScanOptions(plain);
  const deadline = AbortSignal.timeout(settings.scanTimeoutMs);
  const runtime: ScanRuntime = {
    signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
    budget: budget ?? new ByteBudget(settings.maxTotalBytes),
    ...(onProgress ? { onProgress } : {}),
    ...(resolver ? { resolver } : {}),
    ...(browser ? { browser } : {}),
  };
  const cancelled = () => {
    if (signal?.aborted) throw new FetchError("aborted", "aborted: scan cancelled", target);
  };

  onProgress?.({ stage: "crawl", message: `crawling ${target}`, progress: 0.02 });
  const crawl = await crawlStage(target, settings, runtime);
  cancelled();
  const errors: ScanError[] = crawl.failures.map((failure) => ({
    url: failure.url,
    stage: "crawl",
    message: failure.message,
  }));
  const rendered = await renderStage(crawl, settings, runtime);
  cancelled();
  errors.push(...rendered.errors);
  const context = crawl.pages.length ? await siteContextStage(crawl, settings, runtime) : null;
  cancelled();
  errors.push(...(context?.errors ?? []));
  if (deadline.aborted)
    errors.push({
      url: target,
      stage: "scan",
      message: `scan time limit of ${formatSeconds(settings.scanTimeoutMs)} reached`,
    });

  const site = context?.site ?? { origin: crawl.origin, robotsTxt: crawl.robots.text, tls: null, dns: null };
  const pages = [...crawl.pages, ...rendered.pages];
  onProgress?.({ stage: "detect", message: "matching fingerprints", progress: 0.8 });
  const detected = detectStage(pages, site);
  onProgress?.({
    stage: "security",
    message: "grading security headers, cookies, TLS and DNS",
    progress: 0.88,
  });
  const security = securityStage(crawl.pages[0], site);
  onProgress?.({
    stage: "vulns",
    message: "checking JavaScript libraries against known vulnerabilities",
    progress: 0.94,
  });
  const vulns = vulnsStage(pages);
  const extras = performanceStage(crawl.pages, rendered.pages);
  onProgress?.({ stage: "done", message: `found ${detected.technologies.length} technologies`, progress: 1 });

  return {
    requestedUrl: url,
    finalUrl: crawl.pages[0]?.url ?? target,
    technologies: detected.technologies,
    security: security.security,
    vulnerabilities: vulns.vulnerabilities,
    performance: extras.performance,
    thirdParties: extras.thirdParties,
    pages: pageOutcomes(crawl, rendered),
    evidence: mergeEvidence(detected.evidence, security.evidence, vulns.evidence, extras.evidence),
    errors,
  };
}
