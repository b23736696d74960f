/**
 * Test support for the security, vulnerability and third-party analysers:
 * PageSnapshot builders, and a plain fetch of a fixture page (status, raw
 * headers, body, Set-Cookie, scripts) over a real HTTP connection.
 */
import { request } from "node:http";
import { load } from "cheerio";
import type { CookieInfo, Headers, PageSnapshot } from "../types";

export function snapshot(overrides: Partial<PageSnapshot> & { headers?: Headers } = {}): PageSnapshot {
  const url = overrides.url ?? "https://mozilla.org/";
  return {
    requestedUrl: url,
    url,
    status: 200,
    headers: { "content-type": ["text/html"] },
    html: "",
    contentType: "text/html",
    bytes: 0,
    redirects: [],
    rendered: false,
    scriptSrc: [],
    scripts: [],
    stylesheets: [],
    cookies: [],
    js: {},
    requests: [],
    consoleErrors: [],
    mixedContent: [],
    fetchedAt: "2025-01-01T00:00:00.000Z",
    ...overrides,
  };
}

/** Parse a Set-Cookie line the way a browser's cookie jar records it. */
export function parseSetCookie(raw: string): CookieInfo {
  const [pair = "", ...attributes] = raw.split(";");
  const eq = pair.indexOf("=");
  const cookie: CookieInfo = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    httpOnly: false,
    secure: false,
    raw,
  };
  for (const attribute of attributes) {
    const [key = "", value = ""] = attribute.split("=").map((s) => s.trim());
    switch (key.toLowerCase()) {
      case "domain":
        cookie.domain = value;
        break;
      case "path":
        cookie.path = value;
        break;
      case "expires":
        cookie.expires = value;
        break;
      case "secure":
        cookie.secure = true;
        break;
      case "httponly":
        cookie.httpOnly = true;
        break;
      case "samesite": {
        const v = value.toLowerCase();
        if (v === "strict") cookie.sameSite = "Strict";
        else if (v === "lax") cookie.sameSite = "Lax";
        else if (v === "none") cookie.sameSite = "None";
        break;
      }
    }
  }
  return cookie;
}

function get(url: string): Promise<{ status: number; headers: Headers; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const headers: Headers = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          const name = res.rawHeaders[i]!.toLowerCase();
          (headers[name] ??= []).push(res.rawHeaders[i + 1]!);
        }
        resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString("utf8") });
      });
      res.on("error", reject);
    })
      .on("error", reject)
      .end();
  });
}

/** Fetch a fixture page, following redirects, with its scripts' bodies, as a static snapshot. */
export async function fetchSnapshot(requestedUrl: string): Promise<PageSnapshot> {
  const redirects: PageSnapshot["redirects"] = [];
  let url = requestedUrl;
  let response = await get(url);
  const cookies: CookieInfo[] = [];
  for (;;) {
    cookies.push(...(response.headers["set-cookie"] ?? []).map(parseSetCookie));
    const location = response.headers["location"]?.[0];
    if (response.status < 300 || response.status >= 400 || !location) break;
    redirects.push({ url, status: response.status, location });
    url = new URL(location, url).href;
    response = await get(url);
  }
  const $ = load(response.body);
  const scriptSrc = $("script[src]")
    .toArray()
    .map((el) => new URL($(el).attr("src")!, url).href);
  const scripts: PageSnapshot["scripts"] = [];
  $("script:not([src])").each((_, el) => {
    scripts.push({ content: $(el).text() });
  });
  for (const src of scriptSrc) {
    if (new URL(src).origin === new URL(url).origin) scripts.push({ url: src, content: (await get(src)).body });
  }
  return snapshot({
    requestedUrl,
    url,
    status: response.status,
    headers: response.headers,
    html: response.body,
    contentType: response.headers["content-type"]?.[0] ?? "",
    bytes: Buffer.byteLength(response.body),
    redirects,
    scriptSrc,
    scripts,
    stylesheets: $("link[rel=stylesheet]")
      .toArray()
      .map((el) => new URL($(el).attr("href")!, url).href),
    cookies,
  });
}
