import * as cheerio from "cheerio";
import { normalizeUrl } from "./url";

/**
 * A site's front page is often not the app: a sign-in form, a server's
 * default page, a redirect written in markup or script, a shell that loads
 * everything by script. These are the pages behind it that a person would
 * reach first, and the request that shows the server's own error page.
 */

/** A path no site serves, so the answer is the server's or platform's "not found" page. */
export const NOT_FOUND_PROBE_PATH = "/techscaniq-not-found-7f3a9c2e";

/** First-click links kept per front page: enough for a sign-in and an "enter", few enough for any budget. */
const MAX_FIRST_CLICKS = 4;

/** Words on a link that a person follows to get into the app. */
const ENTRY_WORDS = [
  "sign[\\s-]?in",
  "log[\\s-]?in",
  "enter(?: the)?(?: site| app)?",
  "launch(?: app)?",
  "open(?: the)? app",
  "go to(?: the)? app",
  "get started",
  "continue",
  "dashboard",
  "my account",
  "admin(?:istration)?",
];
const ENTRY_TEXT = new RegExp(`^\\s*(?:${ENTRY_WORDS.join("|")})\\b`, "i");
/** Paths of sign-in pages and app roots. */
const ENTRY_PATHS = [
  "log-?in",
  "sign[-_]?in",
  "wp-login\\.php",
  "users?/login",
  "users/sign_in",
  "account/login",
  "auth/login",
  "app",
  "dashboard",
  "admin",
  "portal",
  "console",
];
const ENTRY_PATH = new RegExp(`/(?:${ENTRY_PATHS.join("|")})(?:[/.?]|$)`, "i");
/** `location = "…"`, `location.href = '…'`, `location.replace("…")` in a script: a redirect in code. */
const SCRIPT_REDIRECTS = [
  /\blocation(?:\.href)?\s*=\s*(["'])([^"'\s]{1,500})\1/,
  /\blocation\.(?:replace|assign)\(\s*(["'])([^"'\s]{1,500})\1\s*\)/,
];

/** Where `<meta http-equiv="refresh" content="0; url=…">` sends the browser, if anywhere. */
function metaRefreshTarget($: cheerio.CheerioAPI): string | null {
  const content = $('meta[http-equiv="refresh" i][content]').first().attr("content") ?? "";
  return /;\s*url\s*=\s*['"]?([^'"\s]+)/i.exec(content)?.[1] ?? null;
}

/** Where an inline script sends the browser at once, if it does. */
function scriptRedirectTarget($: cheerio.CheerioAPI): string | null {
  for (const element of $("script:not([src])").toArray()) {
    const code = $(element).text();
    for (const pattern of SCRIPT_REDIRECTS) {
      const target = pattern.exec(code)?.[2];
      if (target) return target;
    }
  }
  return null;
}

/**
 * The pages behind a front page, in the order a person reaches them: where a
 * markup or script redirect goes, then the first links that lead into the app
 * (sign-in, "enter", dashboard, the app root), by their words or their path.
 * Absolute, normalised; same-site filtering is the crawler's.
 */
export function firstClicks(html: string, pageUrl: string, followLinks = true): string[] {
  const $ = cheerio.load(html);
  const base = $("base[href]").first().attr("href") ?? pageUrl;
  const resolve = (raw: string | null | undefined) => {
    if (!raw) return null;
    try {
      return normalizeUrl(raw, new URL(base, pageUrl).href);
    } catch {
      return null;
    }
  };
  const urls = new Set<string>();
  for (const target of [metaRefreshTarget($), scriptRedirectTarget($)]) {
    const url = resolve(target);
    if (url) urls.add(url);
  }
  if (followLinks) {
    for (const element of $("a[href]").toArray()) {
      if (urls.size >= MAX_FIRST_CLICKS) break;
      const link = $(element);
      if (/\bnofollow\b/i.test(link.attr("rel") ?? "")) continue;
      const words = [link.text(), link.attr("title") ?? "", link.attr("aria-label") ?? ""];
      const url = resolve(link.attr("href"));
      if (!url) continue;
      const { pathname, search } = new URL(url);
      if (words.some((text) => ENTRY_TEXT.test(text)) || ENTRY_PATH.test(pathname + search)) urls.add(url);
    }
  }
  const self = normalizeUrl(pageUrl);
  return [...urls].filter((url) => url !== self);
}
