/**
 * Test support for the security, vulnerability and third-party analysers:
 * a PageSnapshot builder, and a real static fetch of a fixture page through
 * the scanner's own crawler (loopback allowed, one page).
 */
import { crawlSite, parseSetCookie } from "./crawl";
import { snapshotFromHtml } from "./fingerprints/snapshot";
import { SafeFetcher } from "./net";
import type { CookieInfo, PageSnapshot } from "./types";

export function snapshot(overrides: Partial<PageSnapshot> = {}): PageSnapshot {
  const url = overrides.url ?? "https://mozilla.org/";
  return { ...snapshotFromHtml({ url, html: "", headers: { "content-type": "text/html" } }), ...overrides };
}

/** A cookie as a browser's jar records it from one Set-Cookie line. */
export function cookie(setCookieLine: string): CookieInfo {
  const parsed = parseSetCookie(setCookieLine);
  if (!parsed) throw new Error(`not a Set-Cookie line: ${setCookieLine}`);
  return parsed;
}

/** Fetch a fixture page (following redirects, with its scripts' bodies) as the crawler sees it. */
export async function fetchSnapshot(url: string): Promise<PageSnapshot> {
  const crawl = await crawlSite(url, new SafeFetcher({ allowPrivate: "loopback" }), { maxPages: 1 });
  const page = crawl.pages[0];
  if (!page)
    throw new Error(
      `no page fetched from ${url}: ${JSON.stringify(crawl.failures.concat(crawl.skipped as never))}`,
    );
  return page;
}
