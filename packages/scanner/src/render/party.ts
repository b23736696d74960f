import { isIP } from "node:net";

// Public suffixes with a second level that many sites register under; enough to
// tell "cdn.example.co.uk" and "www.example.co.uk" apart from "other.co.uk".
const TWO_LEVEL_SUFFIXES = new Set([
  "co.uk",
  "org.uk",
  "ac.uk",
  "gov.uk",
  "com.au",
  "net.au",
  "org.au",
  "co.nz",
  "co.jp",
  "ne.jp",
  "or.jp",
  "com.br",
  "com.cn",
  "com.mx",
  "co.in",
  "co.za",
  "com.tr",
  "com.sg",
  "com.hk",
  "co.kr",
  "com.ar",
]);

/** The registrable part of a host ("static.example.co.uk" → "example.co.uk"); IPs stand for themselves. */
export function registrableDomain(hostname: string): string {
  const host = hostname
    .replace(/^\[|\]$/g, "")
    .toLowerCase()
    .replace(/\.$/, "");
  if (isIP(host)) return host;
  const labels = host.split(".");
  const lastTwo = labels.slice(-2).join(".");
  return TWO_LEVEL_SUFFIXES.has(lastTwo) ? labels.slice(-3).join(".") : lastTwo;
}

/** A request to another registrable domain than the page's is third party. */
export function isThirdParty(requestUrl: string, pageUrl: string): boolean {
  try {
    return registrableDomain(new URL(requestUrl).hostname) !== registrableDomain(new URL(pageUrl).hostname);
  } catch {
    return false;
  }
}
