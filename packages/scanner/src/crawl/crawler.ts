import { FetchError, type FetchedResponse, type SafeFetcher } from "../net";
import type { PageSnapshot } from "../types";
import { parseSetCookie } from "./cookies";
import { extractPageAssets } from "./html";
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
  /** Read external script bodies (bounded) so detectors can see banners and versions in them. */
  fetchScripts: boolean;
  maxScriptsPerPage: number;
  maxScriptBytes: number;
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
  const opts: CrawlOptions = { ...DEFAULT_CRAWL_OPTIONS, ...options };
  const start = normalizeUrl(startUrl);
  if (!start) throw new FetchError("invalid-url", `invalid URL: ${startUrl.slice(0, 200)}`, startUrl);

  const result: CrawlResult = {
    startUrl: start,
    origin: new URL(start).origin,
    pages: [],
    failures: [],
    skipped: [],
    robots: { url: new URL("/robots.txt", start).href, text: null, sitemaps: [] },
    sitemapUrls: [],
    fetchMs: {},
  };
  const queued = new Set<string>([start]);
  const pageKeys = new Set<string>();
  const patternCounts = new Map<string, number>();
  const scriptCache = new Map<string, Promise<string | null>>();
  let robots: RobotsRules | null = null;
  let attempts = 0;
  let delayMs = opts.delayMs;

  const enqueue = (queue: QueueItem[], url: string, depth: number) => {
    if (queued.has(url)) return;
    queued.add(url);
    if (!isSameSite(url, result.origin)) return;
    if (depth > opts.maxDepth)
      return void result.skipped.push({ url, reason: `deeper than ${opts.maxDepth} links` });
    if (robots && !robots.isAllowed(url))
      return void result.skipped.push({ url, reason: "disallowed by robots.txt" });
    const pattern = urlPattern(url);
    const count = patternCounts.get(pattern) ?? 0;
    if (count >= opts.maxPagesPerPattern) {
      return void result.skipped.push({
        url,
        reason: `more than ${opts.maxPagesPerPattern} pages like ${pattern}`,
      });
    }
    patternCounts.set(pattern, count + 1);
    queue.push({ url, depth });
  };

  const scriptBody = (url: string): Promise<string | null> => {
    let pending = scriptCache.get(url);
    if (!pending) {
      pending = fetcher
        .fetch(url, { allowedContentTypes: null, maxResponseBytes: opts.maxScriptBytes })
        .then((response) => (response.status === 200 ? response.text : null))
        .catch(() => null);
      scriptCache.set(url, pending);
    }
    return pending;
  };

  const visit = async (item: QueueItem, queue: QueueItem[]): Promise<void> => {
    attempts += 1;
    let response: FetchedResponse;
    const startedAt = Date.now();
    try {
      response = await fetcher.fetch(item.url);
    } catch (error) {
      const failure = describeError(error, item.url);
      if (failure.code === "content-type") result.skipped.push({ url: item.url, reason: failure.message });
      else result.failures.push(failure);
      opts.onPage?.({
        url: item.url,
        pagesDone: result.pages.length,
        maxPages: opts.maxPages,
        error: failure.message,
      });
      return;
    }
    const finalUrl = normalizeUrl(response.url) ?? response.url;
    if (item.depth === 0) result.origin = new URL(finalUrl).origin;
    else if (!isSameSite(finalUrl, result.origin)) {
      return void result.skipped.push({ url: item.url, reason: `redirects off-site to ${finalUrl}` });
    }
    queued.add(finalUrl);
    if (!isHtml(response))
      return void result.skipped.push({ url: item.url, reason: `not HTML (${response.contentType})` });

    const assets = extractPageAssets(response.text, response.url);
    const key = assets.canonical && isSameSite(assets.canonical, result.origin) ? assets.canonical : finalUrl;
    if (pageKeys.has(key) || (key !== finalUrl && pageKeys.has(finalUrl))) {
      return void result.skipped.push({ url: item.url, reason: `duplicate of ${key}` });
    }
    pageKeys.add(key);
    pageKeys.add(finalUrl);
    result.fetchMs[response.url] = Date.now() - startedAt;

    const external = opts.fetchScripts ? assets.scriptSrc.slice(0, opts.maxScriptsPerPage) : [];
    const externalBodies = await Promise.all(
      external.map(async (url) => ({ url, content: await scriptBody(url) })),
    );
    const securePage = finalUrl.startsWith("https:") || (assets.canonical?.startsWith("https:") ?? false);
    result.pages.push({
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
      scripts: [
        ...assets.inlineScripts.map((content) => ({ content })),
        ...externalBodies.filter(
          (script): script is { url: string; content: string } => script.content !== null,
        ),
      ],
      stylesheets: assets.stylesheets,
      cookies: (response.headers["set-cookie"] ?? []).map(parseSetCookie).filter((cookie) => cookie !== null),
      js: {},
      requests: [],
      consoleErrors: [],
      mixedContent: securePage ? assets.insecureSubresources : [],
      fetchedAt: new Date().toISOString(),
    });
    opts.onPage?.({
      url: response.url,
      pagesDone: result.pages.length,
      maxPages: opts.maxPages,
      error: null,
    });
    if (!assets.noFollow) for (const link of assets.links) enqueue(queue, link, item.depth + 1);
  };

  // The start page goes first (alone) so redirects settle the origin before robots.txt is read.
  const queue: QueueItem[] = [];
  await visit({ url: start, depth: 0 }, queue);
  if (result.pages.length === 0) return result;

  robots = await fetchRobots(result.origin, fetcher);
  result.robots = { url: robots.url, text: robots.text, sitemaps: robots.sitemaps };
  if (robots.crawlDelayMs !== null)
    delayMs = Math.min(Math.max(delayMs, robots.crawlDelayMs), opts.maxCrawlDelayMs);
  const disallowed = queue.filter((item) => !robots!.isAllowed(item.url));
  for (const item of disallowed) result.skipped.push({ url: item.url, reason: "disallowed by robots.txt" });
  const linked = queue.filter((item) => robots!.isAllowed(item.url));

  const pending: QueueItem[] = [];
  if (opts.useSitemap && opts.maxDepth >= 1) {
    const sitemapStarts = robots.sitemaps.length
      ? robots.sitemaps
      : [new URL("/sitemap.xml", result.origin).href];
    const sitemaps = await readSitemaps(sitemapStarts, result.origin, fetcher, {
      maxSitemaps: opts.maxSitemaps,
      maxUrls: opts.maxPages * 5,
    });
    result.sitemapUrls = sitemaps.urls;
    for (const url of sitemaps.urls) enqueue(pending, url, 1);
  }
  pending.push(...linked);

  while (pending.length && attempts < opts.maxPages && !fetcher.signal?.aborted) {
    const batch = pending.splice(0, Math.min(opts.concurrency, opts.maxPages - attempts));
    await Promise.all(
      batch.map(async (item, index) => {
        if (index > 0) await sleep(delayMs * index);
        await visit(item, pending);
      }),
    );
    if (pending.length) await sleep(delayMs);
  }
  for (const item of pending)
    result.skipped.push({ url: item.url, reason: `page limit of ${opts.maxPages} reached` });
  return result;
}
