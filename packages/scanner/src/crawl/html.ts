import * as cheerio from "cheerio";
import { normalizeUrl } from "./url";

/** What the static HTML of one page says about its links and assets. */
export interface PageAssets {
  links: string[];
  canonical: string | null;
  /** `<script src>` and module/script preloads, in document order of each kind. */
  scriptSrc: string[];
  inlineScripts: string[];
  stylesheets: string[];
  /** http:// subresources (scripts, styles, images, frames, media) of the page. */
  insecureSubresources: string[];
  /** `<meta name=robots content=nofollow>`: links of this page are not followed. */
  noFollow: boolean;
}

function absolute(raw: string | undefined, base: string): string | null {
  if (!raw) return null;
  try {
    return new URL(raw.trim(), base).href;
  } catch {
    return null;
  }
}

/** Read links and assets from HTML (malformed markup is parsed the way browsers recover it). */
export function extractPageAssets(html: string, pageUrl: string): PageAssets {
  const $ = cheerio.load(html);
  const base = absolute($("base[href]").first().attr("href"), pageUrl) ?? pageUrl;
  const links = new Set<string>();
  $("a[href], area[href]").each((_, element) => {
    if (/\bnofollow\b/i.test($(element).attr("rel") ?? "")) return;
    const url = normalizeUrl($(element).attr("href") ?? "", base);
    if (url) links.add(url);
  });
  const canonicalHref = $('link[rel~="canonical" i][href]').first().attr("href");
  const scriptSrc = new Set<string>();
  const inlineScripts: string[] = [];
  $("script").each((_, element) => {
    const src = absolute($(element).attr("src"), base);
    if (src) scriptSrc.add(src);
    else {
      const content = $(element).text();
      if (content.trim()) inlineScripts.push(content);
    }
  });
  // A script shell names its code in module preloads: the browser fetches them as scripts.
  $('link[rel~="modulepreload" i][href], link[rel~="preload" i][as="script" i][href]').each((_, element) => {
    const href = absolute($(element).attr("href"), base);
    if (href) scriptSrc.add(href);
  });
  const stylesheets = new Set<string>();
  $('link[rel~="stylesheet" i][href]').each((_, element) => {
    const href = absolute($(element).attr("href"), base);
    if (href) stylesheets.add(href);
  });
  // Only subresources written as http:// are insecure: relative ones follow the page's own scheme.
  const insecureSubresources = new Set<string>();
  $(
    "script[src], link[rel~='stylesheet' i][href], img[src], iframe[src], video[src], audio[src], source[src], embed[src]",
  ).each((_, element) => {
    const raw = ($(element).attr("src") ?? $(element).attr("href") ?? "").trim();
    const url = /^http:\/\//i.test(raw) ? absolute(raw, base) : null;
    if (url) insecureSubresources.add(url);
  });
  return {
    links: [...links],
    canonical: canonicalHref ? normalizeUrl(canonicalHref, base) : null,
    scriptSrc: [...scriptSrc],
    inlineScripts,
    stylesheets: [...stylesheets],
    insecureSubresources: [...insecureSubresources],
    noFollow: /\bnofollow\b/i.test($('meta[name="robots" i]').attr("content") ?? ""),
  };
}
