import type { EvidenceSet } from "../evidence";
import type { CookieFinding } from "../result";
import type { CookieInfo, PageSnapshot } from "../types";

/**
 * Cookies that carry a login or session: the MDN Observatory's rule (name
 * contains "login" or "sess"), which catches PHPSESSID, JSESSIONID,
 * ASP.NET_SessionId, laravel_session, ...
 */
export function isSessionCookie(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.includes("login") || lower.includes("sess");
}

export function isAntiCsrfCookie(name: string): boolean {
  return name.toLowerCase().includes("csrf");
}

/** The cookie as its Set-Cookie line, or rebuilt from its parsed attributes when the browser reported it. */
export function cookieLine(cookie: CookieInfo): string {
  if (cookie.raw) return cookie.raw;
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires) parts.push(`Expires=${cookie.expires}`);
  if (cookie.secure) parts.push("Secure");
  if (cookie.httpOnly) parts.push("HttpOnly");
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join("; ");
}

export function cookieEvidence(
  evidence: EvidenceSet,
  pageUrl: string,
  cookie: CookieInfo,
  collector: string,
): string {
  return evidence.add({
    kind: "cookie",
    collector,
    url: pageUrl,
    locator: cookie.name,
    snippet: `Set-Cookie: ${cookieLine(cookie)}`,
  }).id;
}

/** Attributes as written in the Set-Cookie line: name (lower-case) → value ("" when valueless). */
function rawAttributes(raw: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const part of raw.split(";").slice(1)) {
    const eq = part.indexOf("=");
    const key = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (key) attributes.set(key, eq === -1 ? "" : part.slice(eq + 1).trim());
  }
  return attributes;
}

/** SameSite present with a value other than Strict, Lax or None (the Observatory's "invalid" case). */
export function hasInvalidSameSite(rawSetCookie: string): boolean {
  const value = rawAttributes(`x=y;${rawSetCookie.split(";").slice(1).join(";")}`).get("samesite");
  if (value === undefined) return false;
  return !["lax", "strict", "none"].includes(value.toLowerCase());
}

function cookieIssues(cookie: CookieInfo, pageIsHttps: boolean): string[] {
  const issues: string[] = [];
  const session = isSessionCookie(cookie.name);
  const raw = cookie.raw ? rawAttributes(cookie.raw) : null;
  if (!cookie.secure) issues.push(session ? "session cookie without Secure" : "missing Secure");
  if (session && !cookie.httpOnly) issues.push("session cookie without HttpOnly");
  if (raw && hasInvalidSameSite(cookie.raw!)) issues.push(`invalid SameSite value "${raw.get("samesite")}"`);
  else if (!cookie.sameSite) issues.push("missing SameSite");
  if (cookie.sameSite === "None" && !cookie.secure)
    issues.push("SameSite=None without Secure (browsers reject it)");
  if (isAntiCsrfCookie(cookie.name) && !cookie.sameSite) issues.push("anti-CSRF token without SameSite");
  if (cookie.name.startsWith("__Host-")) {
    const hasDomain = raw ? raw.has("domain") : false;
    const path = raw ? raw.get("path") : cookie.path;
    if (!cookie.secure || hasDomain || path !== "/")
      issues.push("__Host- prefix requires Secure, Path=/ and no Domain");
  } else if (cookie.name.startsWith("__Secure-") && !cookie.secure) {
    issues.push("__Secure- prefix requires Secure");
  }
  if (!pageIsHttps) issues.push(session ? "session cookie set over plain http" : "set over plain http");
  return issues;
}

/**
 * One finding per distinct cookie (name, domain, path) across the pages, with
 * the flags it was set with and what is wrong with them.
 */
export function analyseCookies(pages: PageSnapshot[], evidence: EvidenceSet): CookieFinding[] {
  const findings = new Map<string, CookieFinding>();
  for (const page of pages) {
    const https = page.url.startsWith("https:");
    for (const cookie of page.cookies) {
      const key = [cookie.name, cookie.domain ?? "", cookie.path ?? ""].join("\u0000");
      const id = cookieEvidence(evidence, page.url, cookie, "cookies");
      const existing = findings.get(key);
      if (existing) {
        if (!existing.evidence.includes(id)) existing.evidence.push(id);
        continue;
      }
      findings.set(key, {
        name: cookie.name,
        secure: cookie.secure,
        httpOnly: cookie.httpOnly,
        sameSite: cookie.sameSite ?? null,
        issues: cookieIssues(cookie, https),
        evidence: [id],
      });
    }
  }
  return [...findings.values()];
}
