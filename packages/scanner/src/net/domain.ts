import { isIP } from "node:net";
import { getDomain } from "tldts";

/**
 * The registrable part of a host by the public suffix list
 * ("static.example.co.uk" → "example.co.uk"); IPs and hosts under no known
 * suffix stand for themselves.
 */
export function registrableDomain(hostname: string): string {
  const host = hostname
    .replace(/^\[|\]$/g, "")
    .toLowerCase()
    .replace(/\.$/, "");
  if (isIP(host)) return host;
  return getDomain(host, { allowPrivateDomains: false }) ?? host;
}

/** A request to another registrable domain than the page's is third party. */
export function isThirdParty(requestUrl: string, pageUrl: string): boolean {
  if (!URL.canParse(requestUrl) || !URL.canParse(pageUrl)) return false;
  return registrableDomain(new URL(requestUrl).hostname) !== registrableDomain(new URL(pageUrl).hostname);
}
