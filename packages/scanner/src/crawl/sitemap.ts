import * as cheerio from "cheerio";
import type { SafeFetcher } from "../net";
import { isSameSite, normalizeUrl } from "./url";

export interface SitemapLimits {
  /** Sitemap files read, index files included. */
  maxSitemaps: number;
  /** Page URLs collected. */
  maxUrls: number;
}

export interface SitemapResult {
  urls: string[];
  sitemapsRead: string[];
  errors: { url: string; message: string }[];
}

/**
 * Collect same-site page URLs from sitemaps (urlset and sitemap index files),
 * breadth first, reading at most `maxSitemaps` files and keeping `maxUrls` URLs.
 */
export async function readSitemaps(
  start: string[],
  origin: string,
  fetcher: SafeFetcher,
  limits: SitemapLimits,
): Promise<SitemapResult> {
  const queue = [...new Set(start)];
  const seen = new Set<string>();
  const urls = new Set<string>();
  const result: SitemapResult = { urls: [], sitemapsRead: [], errors: [] };
  while (queue.length && seen.size < limits.maxSitemaps && urls.size < limits.maxUrls) {
    const sitemapUrl = queue.shift()!;
    if (seen.has(sitemapUrl) || !isSameSite(sitemapUrl, origin)) continue;
    seen.add(sitemapUrl);
    try {
      const response = await fetcher.fetch(sitemapUrl, { maxResponseBytes: 10 * 1024 * 1024 });
      if (response.status !== 200) {
        result.errors.push({ url: sitemapUrl, message: `HTTP ${response.status}` });
        continue;
      }
      result.sitemapsRead.push(sitemapUrl);
      const $ = cheerio.load(response.text, { xml: true });
      $("sitemapindex > sitemap > loc").each((_, element) => {
        const loc = normalizeUrl($(element).text(), sitemapUrl);
        if (loc) queue.push(loc);
      });
      $("urlset > url > loc").each((_, element) => {
        const loc = normalizeUrl($(element).text(), sitemapUrl);
        if (loc && isSameSite(loc, origin) && urls.size < limits.maxUrls) urls.add(loc);
      });
    } catch (error) {
      result.errors.push({ url: sitemapUrl, message: (error as Error).message });
    }
  }
  result.urls = [...urls];
  return result;
}
