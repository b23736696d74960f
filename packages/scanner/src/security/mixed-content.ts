import { load } from "cheerio";
import type { EvidenceSet } from "../evidence";
import type { SecurityReport } from "../result";
import type { PageSnapshot } from "../types";

/** Elements and attributes that load a subresource (forms and links are navigation, not mixed content). */
const SUBRESOURCE_ATTRIBUTES: [selector: string, attribute: string][] = [
  ["script[src]", "src"],
  ["link[href]", "href"],
  ["img[src]", "src"],
  ["iframe[src]", "src"],
  ["frame[src]", "src"],
  ["audio[src]", "src"],
  ["video[src]", "src"],
  ["video[poster]", "poster"],
  ["source[src]", "src"],
  ["track[src]", "src"],
  ["embed[src]", "src"],
  ["object[data]", "data"],
];
/** <link rel> values that fetch something. */
const FETCHING_LINK_RELS = /\b(stylesheet|icon|preload|modulepreload|prefetch|manifest|apple-touch-icon)\b/i;

/**
 * http:// subresources of https:// pages: those the browser requested (the
 * rendered page's mixedContent) and those the HTML asks for.
 */
export function summariseMixedContent(
  pages: PageSnapshot[],
  evidence: EvidenceSet,
): SecurityReport["mixedContent"] {
  const found = new Map<string, string[]>();
  const note = (url: string, id: string) => {
    const ids = found.get(url) ?? [];
    if (!ids.includes(id)) ids.push(id);
    found.set(url, ids);
  };
  for (const page of pages) {
    if (!page.url.startsWith("https:")) continue;
    for (const url of page.mixedContent) {
      note(
        url,
        evidence.add({
          kind: "network",
          collector: "mixed-content",
          url: page.url,
          locator: url,
          snippet: `GET ${url}`,
        }).id,
      );
    }
    if (!page.html) continue;
    const $ = load(page.html);
    for (const [selector, attribute] of SUBRESOURCE_ATTRIBUTES) {
      $(selector).each((_, element) => {
        const el = $(element);
        const tag = el.prop("tagName")?.toLowerCase() ?? selector;
        if (tag === "link" && !FETCHING_LINK_RELS.test(el.attr("rel") ?? "")) return;
        const value = (el.attr(attribute) ?? "").trim();
        if (!/^http:\/\//i.test(value)) return;
        const url = URL.canParse(value) ? new URL(value).href : value;
        const snippet = $.html(el);
        note(
          url,
          evidence.add({
            kind: "html",
            collector: "mixed-content",
            url: page.url,
            locator: `${tag}[${attribute}="${value}"]`,
            snippet,
          }).id,
        );
      });
    }
  }
  return [...found.entries()].map(([url, ids]) => ({ url, evidence: ids }));
}
