/** Query parameters that only track campaigns or clicks; they never change the page. */
const TRACKING_PARAM =
  /^(utm_[a-z_]+|gclid|gclsrc|dclid|fbclid|msclkid|yclid|twclid|mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|igshid|ref_src)$/i;

/**
 * The one form of a URL the crawler compares and stores: http(s) only, host
 * lower-case, default port and fragment dropped, dot segments resolved,
 * tracking parameters removed and the rest sorted. `null` for anything that
 * is not a crawlable web URL (mailto:, javascript:, data:, garbage).
 */
export function normalizeUrl(raw: string, base?: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim(), base);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username || url.password) return null;
  url.hash = "";
  const kept = [...url.searchParams.entries()].filter(([name]) => !TRACKING_PARAM.test(name));
  kept.sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a.localeCompare(b)));
  url.search = kept.length ? new URLSearchParams(kept).toString() : "";
  return url.href;
}

/** Host (with port) without a leading "www.", so www.example.com and example.com are one site. */
export function siteKey(url: string): string {
  const { protocol, host } = new URL(url);
  return `${protocol === "https:" || protocol === "http:" ? "web" : protocol}|${host.replace(/^www\./, "")}`;
}

export function isSameSite(url: string, origin: string): boolean {
  return siteKey(url) === siteKey(origin);
}

/**
 * Shape of a URL with numbers and ids folded, "/page/7?sort=asc" → "/page/#?sort",
 * used to cap how many pages of one endless family (calendars, archives, pagination) are crawled.
 */
export function urlPattern(url: string): string {
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/\d+/g, "#").replace(/[0-9a-f]{16,}/gi, "%");
  const params = [...new Set([...parsed.searchParams.keys()])].sort().join("&");
  return `${parsed.host}${path}${params ? "?" + params : ""}`;
}
