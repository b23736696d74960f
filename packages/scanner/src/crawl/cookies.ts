import type { CookieInfo } from "../types";

const SAME_SITE: Record<string, CookieInfo["sameSite"]> = { strict: "Strict", lax: "Lax", none: "None" };

/** Parse one Set-Cookie header line (RFC 6265 attributes; unknown attributes ignored). */
export function parseSetCookie(line: string): CookieInfo | null {
  const [pair = "", ...attributes] = line.split(";");
  const eq = pair.indexOf("=");
  const name = (eq === -1 ? "" : pair.slice(0, eq)).trim();
  if (!name) return null;
  const cookie: CookieInfo = {
    name,
    value: pair.slice(eq + 1).trim(),
    httpOnly: false,
    secure: false,
    raw: line,
  };
  for (const attribute of attributes) {
    const [key = "", ...rest] = attribute.split("=");
    const value = rest.join("=").trim();
    switch (key.trim().toLowerCase()) {
      case "domain":
        cookie.domain = value;
        break;
      case "path":
        cookie.path = value;
        break;
      case "expires":
        cookie.expires = value;
        break;
      case "httponly":
        cookie.httpOnly = true;
        break;
      case "secure":
        cookie.secure = true;
        break;
      case "samesite": {
        const sameSite = SAME_SITE[value.toLowerCase()];
        if (sameSite) cookie.sameSite = sameSite;
        break;
      }
    }
  }
  return cookie;
}
