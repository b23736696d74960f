import { FetchError, type FetchedResponse, type SafeFetcher } from "../net";
import type { PageSnapshot } from "../types";
import { parseSetCookie } from "./cookies";
import { NOT_FOUND_PROBE_PATH, firstClicks } from "./front-page";
import { extractPageAssets, type PageAssets } from "./html";
import { fetchRobots, type RobotsRules } from "./robots";
import { readSitemaps } from "./sitemap";
import { isSameSite, normalizeUrl, urlPattern } from "./url";

export interface CrawlOptions {
  maxPages: number;
  /** Link hops from the start page (sitemap URLs count as depth 1). */
  maxDepth: number;
  /** Requests in flight to the site at once. */
  concurrency: number;
  /** Pause between request starts to the site; robots.txt Crawl-delay wins when longer (up to `maxCrawlDelayMs`). */
  delayMs: number;
  maxCrawlDelayMs: number;
  /** Pages of one URL shape ("/page/#") crawled at most: bounds calendars, archives and session-id link spaces. */
  maxPagesPerPattern: number;
  useSitemap: boolean;
  maxSitemaps: number;
  /**
   * Read external script bodies, and same-site stylesheet bodies in the slots
   * the scripts leave, so detectors can see banners and versions in them.
   */
  fetchScripts: boolean;
  /** Scripts and stylesheets read per page, together. */
  maxScriptsPerPage: number;
  maxScriptBytes: number;
  /** Request a path no site serves, to read the server's or platform's error page (one page of budget). */
  notFoundProbe: boolean;
  onPage?: (event: { url: string; pagesDone: number; maxPages: number; error: string | null }) => void;
}

export const DEFAULT_CRAWL_OPTIONS: CrawlOptions = {
  maxPages: 20,
  maxDepth: 3,
  concurrency: 2,
  delayMs: 100,
  maxCrawlDelayMs: 5_000,
  maxPagesPerPattern: 5,
  useSitemap: true,
  maxSitemaps: 5,
  fetchScripts: true,
  maxScriptsPerPage: 20,
  maxScriptBytes: 512 * 1024,
  notFoundProbe: true,
};

export interface CrawlFailure {
  url: string;
  code: string;
  message: string;
}

export interface CrawlResult {
  startUrl: string;
  /** Origin of the start page after redirects: what "same site" means for this crawl. */
  origin: string;
  pages: PageSnapshot[];
  failures: CrawlFailure[];
  /** URLs seen but not fetched, and why (robots.txt, duplicate, limits, off-site). */
  skipped: { url: string; reason: string }[];
  robots: { url: string; text: string | null; sitemaps: string[] };
  sitemapUrls: string[];
  /** Milliseconds each page's fetch took (redirects and body included), by page URL. */
  fetchMs: Record<string, number>;
}

interface QueueItem {
  url: string;
  depth: number;
  /** Reached as a front page's redirect or entry link: its own entry links go first too. */
  firstClick?: boolean;
}

/** A fetched page the crawl keeps: its normalised final URL and what its HTML links to. */
interface AcceptedPage {
  finalUrl: string;
  assets: PageAssets;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describeError(error: unknown, url: string): CrawlFailure {
  if (error instanceof FetchError) return { url, code: error.code, message: error.message };
  return { url, code: "error", message: (error as Error).message ?? String(error) };
}

function isHtml(response: FetchedResponse): boolean {
  const type = response.contentType.split(";")[0]!.trim().toLowerCase();
  return type === "" || type === "text/html" || type === "application/xhtml+xml";
}

/**
 * Crawl one site politely: robots.txt, sitemap(s), same-site links breadth
 * first, normalised and canonical-de-duplicated URLs, with limits on pages,
 * depth, URL patterns, bytes (the fetcher's budget) and time (its signal).
 * A page that fails is recorded in `failures`; the crawl goes on.
 */
export async function crawlSite(
  startUrl: string,
  fetcher: SafeFetcher,
  options: Partial<CrawlOptions> = {},
): Promise<CrawlResult> {
  const start = normalizeUrl(startUrl);
  if (!start) throw new FetchError("invalid-url", `invalid URL: ${startUrl.slice(0, 200)}`, startUrl);
  return new SiteCrawl(start, fetcher, { ...DEFAULT_CRAWL_OPTIONS, ...options }).run();
}

/** One crawl's state: what it queued, saw and found, and the pace robots.txt set. */
class SiteCrawl {
  private readonly result: CrawlResult;
  private readonly fetcher: SafeFetcher;
  private readonly opts: CrawlOptions;
  private readonly queued: Set<string>;
  private readonly pageKeys = new Set<string>();
  private readonly patternCounts = new Map<string, number>();
  private readonly assetBodies = new Map<string, Promise<string | null>>();
  private robots: RobotsRules | null = null;
  private attempts = 0;
  private delayMs: number;

  constructor(start: string, fetcher: SafeFetcher, opts: CrawlOptions) {
    this.fetcher = fetcher;
    this.opts = opts;
    this.delayMs = opts.delayMs;
    this.queued = new Set([start]);
    this.result = {
      startUrl: start,
      origin: new URL(start).origin,
      pages: [],
      failures: [],
      skipped: [],
      robots: { url: new URL("/robots.txt", start).href, text: null, sitemaps: [] },
      sitemapUrls: [],
      fetchMs: {},
    };
  }

  async run(): Promise<CrawlResult> {
    // The start page goes first (alone) so redirects settle the origin before robots.txt is read.
    const linkedFromStart: QueueItem[] = [];
    const firstClicksFromStart = await this.visit({ url: this.result.startUrl, depth: 0 }, linkedFromStart);
    if (this.result.pages.length === 0) return this.result;
    const robots = await this.readRobots();
    const allowed = (items: QueueItem[]) =>
      items.filter((item) => {
        if (robots.isAllowed(item.url)) return true;
        this.result.skipped.push({ url: item.url, reason: "disallowed by robots.txt" });
        return false;
      });
    const clicks = allowed(firstClicksFromStart);
    const links = allowed(linkedFromStart);
    const notFound = await this.probeNotFound();
    // What a person reaches first (redirect targets, sign-in, "enter") goes before the sitemap's pages.
    await this.crawlBreadthFirst([...clicks, ...(await this.sitemapPages()), ...links]);
    if (notFound) this.result.pages.push(notFound);
    return this.result;
  }

  /** Reads robots.txt: its rules, sitemaps and crawl delay. */
  private async readRobots(): Promise<RobotsRules> {
    const robots = await fetchRobots(this.result.origin, this.fetcher);
    this.robots = robots;
    this.result.robots = { url: robots.url, text: robots.text, sitemaps: robots.sitemaps };
    if (robots.crawlDelayMs !== null) {
      this.delayMs = Math.min(Math.max(this.delayMs, robots.crawlDelayMs), this.opts.maxCrawlDelayMs);
    }
    return robots;
  }

  /**
   * The site's answer to a path it does not serve, when it is an error page
   * (4xx/5xx HTML on this site): servers and platforms sign those. Costs one
   * page of the budget; robots.txt is respected; its links are not followed.
   */
  private async probeNotFound(): Promise<PageSnapshot | null> {
    if (!this.opts.notFoundProbe || this.attempts >= this.opts.maxPages) return null;
    const url = new URL(NOT_FOUND_PROBE_PATH, this.result.origin).href;
    const skip = (reason: string): null => {
      this.result.skipped.push({ url, reason });
      return null;
    };
    if (this.robots && !this.robots.isAllowed(url)) return skip("disallowed by robots.txt");
    this.queued.add(url);
    this.attempts += 1;
    const startedAt = Date.now();
    let response: FetchedResponse;
    try {
      response = await this.fetcher.fetch(url);
    } catch (error) {
      return skip(`error page probe: ${describeError(error, url).message}`);
    }
    if (response.status < 400) return skip(`error page probe answered ${response.status}`);
    const finalUrl = normalizeUrl(response.url) ?? response.url;
    if (!isSameSite(finalUrl, this.result.origin)) return skip(`redirects off-site to ${finalUrl}`);
    if (!isHtml(response)) return skip(`not HTML (${response.contentType})`);
    this.result.fetchMs[response.url] = Date.now() - startedAt;
    const assets = extractPageAssets(response.text, response.url);
    return {
      ...(await this.snapshot({ url, depth: 1 }, response, { finalUrl, assets })),
      probe: "not-found",
    };
  }

  /** The sitemaps' same-site URLs as depth-1 pages (robots.txt's sitemaps, else /sitemap.xml). */
  private async sitemapPages(): Promise<QueueItem[]> {
    const pages: QueueItem[] = [];
    if (!this.opts.useSitemap || this.opts.maxDepth < 1) return pages;
    const { sitemaps: listed } = this.result.robots;
    const sitemapStarts = listed.length ? listed : [new URL("/sitemap.xml", this.result.origin).href];
    const sitemaps = await readSitemaps(sitemapStarts, this.result.origin, this.fetcher, {
      maxSitemaps: this.opts.maxSitemaps,
      maxUrls: this.opts.maxPages * 5,
    });
    this.result.sitemapUrls = sitemaps.urls;
    for (const url of sitemaps.urls) this.admit(pages, url, 1);
    return pages;
  }

  /** Visits `pending` in paced batches (new links join it) until the page limit, cancellation or the end. */
  private async crawlBreadthFirst(pending: QueueItem[]): Promise<void> {
    const { concurrency, maxPages } = this.opts;
    while (pending.length && this.attempts < maxPages && !this.fetcher.signal?.aborted) {
      const batch = pending.splice(0, Math.min(concurrency, maxPages - this.attempts));
      const clicks = await Promise.all(
        batch.map(async (item, index) => {
          if (index > 0) await sleep(this.delayMs * index);
          return this.visit(item, pending);
        }),
      );
      pending.unshift(...clicks.flat());
      if (pending.length) await sleep(this.delayMs);
    }
    for (const item of pending) {
      this.result.skipped.push({ url: item.url, reason: `page limit of ${maxPages} reached` });
    }
  }

  /**
   * Queues a URL not seen before when it is same-site and neither too deep,
   * disallowed by robots.txt (once read) nor over its URL pattern's quota;
   * a refused one is recorded in `skipped`.
   */
  private admit(queue: QueueItem[], url: string, depth: number): void {
    if (this.queued.has(url)) return;
    this.queued.add(url);
    if (!isSameSite(url, this.result.origin)) return;
    const skip = (reason: string) => void this.result.skipped.push({ url, reason });
    if (depth > this.opts.maxDepth) return skip(`deeper than ${this.opts.maxDepth} links`);
    if (this.robots && !this.robots.isAllowed(url)) return skip("disallowed by robots.txt");
    const pattern = urlPattern(url);
    const count = this.patternCounts.get(pattern) ?? 0;
    if (count >= this.opts.maxPagesPerPattern) {
      return skip(`more than ${this.opts.maxPagesPerPattern} pages like ${pattern}`);
    }
    this.patternCounts.set(pattern, count + 1);
    queue.push({ url, depth });
  }

  /**
   * Fetches one page and, when it is a new same-site HTML page, records it and
   * queues its links. For a front page (the start page, or one reached from it
   * as a first click) returns the pages a person reaches first from it, to go
   * before the rest of the queue.
   */
  private async visit(item: QueueItem, queue: QueueItem[]): Promise<QueueItem[]> {
    this.attempts += 1;
    const startedAt = Date.now();
    const response = await this.fetchPage(item);
    if (!response) return [];
    const accepted = this.acceptPage(item, response);
    if (!accepted) return [];
    this.result.fetchMs[response.url] = Date.now() - startedAt;
    this.result.pages.push(await this.snapshot(item, response, accepted));
    this.reportPage(response.url, null);
    const clicks: QueueItem[] = [];
    if (item.depth === 0 || item.firstClick) {
      for (const url of firstClicks(response.text, response.url, !accepted.assets.noFollow))
        this.admit(clicks, url, item.depth + 1);
    }
    if (!accepted.assets.noFollow) {
      for (const link of accepted.assets.links) this.admit(queue, link, item.depth + 1);
    }
    return clicks.map((click) => ({ ...click, firstClick: true }));
  }

  /** The page's response, or null when the fetch failed (recorded as a failure, or skipped if not HTML). */
  private async fetchPage(item: QueueItem): Promise<FetchedResponse | null> {
    try {
      return await this.fetcher.fetch(item.url);
    } catch (error) {
      const failure = describeError(error, item.url);
      if (failure.code === "content-type")
        this.result.skipped.push({ url: item.url, reason: failure.message });
      else this.result.failures.push(failure);
      this.reportPage(item.url, failure.message);
      return null;
    }
  }

  /**
   * The response's final URL and assets when it is a page to keep; null (and
   * `skipped`) for an off-site redirect, a body that is not HTML or a duplicate.
   * The start page's final URL sets the crawl's origin.
   */
  private acceptPage(item: QueueItem, response: FetchedResponse): AcceptedPage | null {
    const skip = (reason: string): null => {
      this.result.skipped.push({ url: item.url, reason });
      return null;
    };
    const finalUrl = normalizeUrl(response.url) ?? response.url;
    if (item.depth === 0) this.result.origin = new URL(finalUrl).origin;
    else if (!isSameSite(finalUrl, this.result.origin)) return skip(`redirects off-site to ${finalUrl}`);
    this.queued.add(finalUrl);
    if (!isHtml(response)) return skip(`not HTML (${response.contentType})`);

    const assets = extractPageAssets(response.text, response.url);
    const { canonical } = assets;
    const key = canonical && isSameSite(canonical, this.result.origin) ? canonical : finalUrl;
    if (this.pageKeys.has(key) || (key !== finalUrl && this.pageKeys.has(finalUrl))) {
      return skip(`duplicate of ${key}`);
    }
    this.pageKeys.add(key);
    this.pageKeys.add(finalUrl);
    return { finalUrl, assets };
  }

  /** The page as detectors read it, with the bodies of its first external scripts and stylesheets. */
  private async snapshot(
    item: QueueItem,
    response: FetchedResponse,
    { finalUrl, assets }: AcceptedPage,
  ): Promise<PageSnapshot> {
    const slots = this.opts.fetchScripts ? this.opts.maxScriptsPerPage : 0;
    const external = assets.scriptSrc.slice(0, slots);
    const sheets = assets.stylesheets
      .filter((url) => isSameSite(url, this.result.origin))
      .slice(0, slots - external.length);
    const bodies = (urls: string[]) =>
      Promise.all(urls.map(async (url) => ({ url, content: await this.assetBody(url) })));
    const [externalBodies, sheetBodies] = await Promise.all([bodies(external), bodies(sheets)]);
    const fetched = (body: {
      url: string;
      content: string | null;
    }): body is { url: string; content: string } => body.content !== null;
    const securePage = finalUrl.startsWith("https:") || (assets.canonical?.startsWith("https:") ?? false);
    return {
      requestedUrl: item.url,
      url: response.url,
      status: response.status,
      headers: response.headers,
      html: response.text,
      contentType: response.contentType,
      bytes: response.body.byteLength,
      redirects: response.redirects,
      rendered: false,
      scriptSrc: assets.scriptSrc,
      scripts: [...assets.inlineScripts.map((content) => ({ content })), ...externalBodies.filter(fetched)],
      stylesheets: assets.stylesheets,
      ...(sheets.length ? { stylesheetBodies: sheetBodies.filter(fetched) } : {}),
      cookies: (response.headers["set-cookie"] ?? []).map(parseSetCookie).filter((cookie) => cookie !== null),
      js: {},
      requests: [],
      consoleErrors: [],
      mixedContent: securePage ? assets.insecureSubresources : [],
      fetchedAt: new Date().toISOString(),
    };
  }

  /** One script's or stylesheet's body, fetched once per crawl (bounded); null when it cannot be had. */
  private assetBody(url: string): Promise<string | null> {
    let pending = this.assetBodies.get(url);
    if (!pending) {
      pending = this.fetcher
        .fetch(url, { allowedContentTypes: null, maxResponseBytes: this.opts.maxScriptBytes })
        .then((response) => (response.status === 200 ? response.text : null))
        .catch(() => null);
      this.assetBodies.set(url, pending);
    }
    return pending;
  }

  private reportPage(url: string, error: string | null): void {
    this.opts.onPage?.({ url, pagesDone: this.result.pages.length, maxPages: this.opts.maxPages, error });
  }
}
