import robotsParser from "robots-parser";
import type { SafeFetcher } from "../net";

export interface RobotsRules {
  url: string;
  /** The file as served, or null when there is none (then everything is allowed). */
  text: string | null;
  isAllowed(url: string): boolean;
  sitemaps: string[];
  /** Crawl-delay for our user agent, in milliseconds, when the site sets one. */
  crawlDelayMs: number | null;
}

/** The product token robots.txt groups are matched against. */
export const ROBOTS_AGENT = "TechScanIQ";

/** Fetch and parse `/robots.txt`; a missing or failing file allows everything, as the standard says for 4xx. */
export async function fetchRobots(origin: string, fetcher: SafeFetcher): Promise<RobotsRules> {
  const url = new URL("/robots.txt", origin).href;
  let text: string | null = null;
  try {
    const response = await fetcher.fetch(url, { maxResponseBytes: 512 * 1024 });
    if (response.status === 200) text = response.text;
  } catch {
    text = null;
  }
  return parseRobots(url, text);
}

export function parseRobots(url: string, text: string | null): RobotsRules {
  const robots = robotsParser(url, text ?? "");
  const delay = robots.getCrawlDelay(ROBOTS_AGENT);
  return {
    url,
    text,
    isAllowed: (target) => robots.isAllowed(target, ROBOTS_AGENT) !== false,
    sitemaps: sitemapUrls(robots.getSitemaps(), url),
    crawlDelayMs: delay === undefined ? null : delay * 1000,
  };
}

/**
 * Sitemap lines as absolute URLs: relative ones (`Sitemap: /sitemap.xml`, common on real sites) resolve
 * against robots.txt, and a line that is no URL at all is dropped rather than failing the crawl.
 */
function sitemapUrls(lines: string[], robotsUrl: string): string[] {
  return lines.flatMap((line) => {
    try {
      return [new URL(line.trim(), robotsUrl).href];
    } catch {
      return [];
    }
  });
}
