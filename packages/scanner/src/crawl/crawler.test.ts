import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { SafeFetcher } from "../net";
import { crawlSite, normalizeUrl, parseSetCookie, urlPattern } from "./index";

let fixtures: FixtureServer;
beforeAll(async () => {
  fixtures = await startFixtureServer({ sites: ["wordpress-like", "limits", "legacy-weak", "redirects"] });
});
afterAll(() => fixtures.close());

const crawl = async (site: string, options: Parameters<typeof crawlSite>[2] = {}) => {
  const fetcher = new SafeFetcher({ allowPrivate: "loopback", requestTimeoutMs: 2_000 });
  try {
    return await crawlSite(fixtures.url(site), fetcher, { delayMs: 0, ...options });
  } finally {
    await fetcher.close();
  }
};

describe("URL normalisation", () => {
  it.each([
    ["HTTP://WWW.Example.COM:80/a/../b/?utm_source=x&b=2&a=1#top", "http://www.example.com/b/?a=1&b=2"],
    ["https://example.com:443", "https://example.com/"],
    ["https://example.com/p?gclid=abc&fbclid=def", "https://example.com/p"],
    ["https://example.com/p?z=1&a=2&a=1", "https://example.com/p?a=1&a=2&z=1"],
  ])("%s → %s", (raw, expected) => {
    expect(normalizeUrl(raw)).toBe(expected);
  });

  it("rejects what is not a crawlable web URL", () => {
    for (const raw of [
      "mailto:a@b.c",
      "javascript:alert(1)",
      "data:text/html,x",
      "ftp://x/",
      "http://u:p@x/",
      "http://",
    ]) {
      expect(normalizeUrl(raw)).toBeNull();
    }
  });

  it("folds numbered URL families into one pattern", () => {
    expect(urlPattern("http://h/page/7?sort=asc")).toBe(urlPattern("http://h/page/12?sort=desc"));
  });
});

describe("Set-Cookie parsing", () => {
  it("reads flags and attributes", () => {
    expect(
      parseSetCookie("sid=abc=; Path=/; Secure; HttpOnly; SameSite=strict; Domain=.example.com"),
    ).toEqual({
      name: "sid",
      value: "abc=",
      path: "/",
      domain: ".example.com",
      secure: true,
      httpOnly: true,
      sameSite: "Strict",
      raw: "sid=abc=; Path=/; Secure; HttpOnly; SameSite=strict; Domain=.example.com",
    });
    expect(parseSetCookie("=novalue")).toBeNull();
  });
});

describe("crawler on wordpress-like", () => {
  it("uses the sitemap, respects robots.txt, de-duplicates by normalisation and canonical", async () => {
    const result = await crawl("wordpress-like");
    const url = (path: string) => fixtures.url("wordpress-like", path);
    expect(result.failures).toEqual([]);
    expect(result.robots.text).toContain("Disallow: /wp-admin/");
    expect(result.sitemapUrls).toEqual([
      url("/"),
      url("/about/"),
      url("/services/"),
      url("/2024/01/hello-world/"),
      url("/contact/"),
    ]);
    expect(
      result.pages
        .filter((page) => !page.probe)
        .map((page) => page.url)
        .sort(),
    ).toEqual(
      [
        url("/"),
        url("/about/"),
        url("/services/"),
        url("/2024/01/hello-world/"),
        url("/contact/"),
        url("/privacy-policy/"),
      ].sort(),
    );
    // And the server's error page, read once for its signature.
    expect(result.pages.at(-1)).toMatchObject({ probe: "not-found", status: 404 });
    expect(result.skipped).toContainEqual({ url: url("/wp-admin/"), reason: "disallowed by robots.txt" });
    expect(result.skipped).toContainEqual({
      url: url("/about-us/"),
      reason: `duplicate of ${url("/about/")}`,
    });
  });

  it("fills the page snapshot from the static fetch", async () => {
    const result = await crawl("wordpress-like", { maxPages: 1 });
    const home = result.pages[0]!;
    const url = (path: string) => fixtures.url("wordpress-like", path);
    expect(home.status).toBe(200);
    expect(home.rendered).toBe(false);
    expect(home.headers["x-powered-by"]).toEqual(["PHP/8.1.2"]);
    expect(home.headers["set-cookie"]).toHaveLength(2);
    expect(home.cookies.map((cookie) => [cookie.name, cookie.httpOnly, cookie.sameSite ?? null])).toEqual([
      ["wordpress_test_cookie", true, null],
      ["pll_language", false, "Lax"],
    ]);
    expect(home.scriptSrc).toEqual([
      url("/wp-includes/js/jquery/jquery.min.js?ver=3.7.1"),
      url("/wp-includes/js/jquery/jquery-migrate.min.js?ver=3.4.1"),
      url("/wp-content/themes/x/js/navigation.js?ver=6.4.2"),
    ]);
    expect(home.stylesheets).toContain(url("/wp-content/themes/x/style.css?ver=6.4.2"));
    const jquery = home.scripts.find(
      (script) => script.url === url("/wp-includes/js/jquery/jquery.min.js?ver=3.7.1"),
    );
    expect(jquery?.content.split("\n")[0]).toBe(
      "/*! jQuery v3.7.1 | (c) OpenJS Foundation and other contributors | jquery.org/license */",
    );
    expect(
      home.scripts.some((script) => script.url === undefined && script.content.includes("xScreenReaderText")),
    ).toBe(true);
    expect(home.html).toContain('<meta name="generator" content="WordPress 6.4.2">');
    expect(result.skipped.at(-1)?.reason).toBe("page limit of 1 reached");
  });
});

describe("crawler limits", () => {
  it("bounds an infinite link space, skips slow, big and binary pages and survives malformed HTML", async () => {
    const result = await crawl("limits", { maxPages: 30, maxPagesPerPattern: 4, maxDepth: 10 });
    const url = (path: string) => fixtures.url("limits", path);
    const archive = result.pages.filter((page) => new URL(page.url).pathname.startsWith("/page/"));
    expect(archive.length).toBeGreaterThan(0);
    expect(archive.length).toBeLessThanOrEqual(4 * 3);
    expect(result.skipped.some((skip) => skip.reason.startsWith("more than 4 pages like"))).toBe(true);
    expect(result.failures).toContainEqual({
      url: url("/big"),
      code: "too-large",
      message: "response over 5 MB",
    });
    expect(result.failures).toContainEqual({
      url: url("/slow"),
      code: "timeout",
      message: "timeout after 2 s",
    });
    expect(result.skipped).toContainEqual({
      url: url("/download.bin"),
      reason: "unsupported content type application/octet-stream",
    });
    const malformed = result.pages.find((page) => page.url === url("/malformed"));
    expect(malformed?.status).toBe(200);
    const latin1 = result.pages.find((page) => page.url === url("/latin1"));
    expect(latin1?.html).toContain("Café du Marché");
  });

  it("stops at the depth limit", async () => {
    const result = await crawl("limits", { maxPages: 30, maxDepth: 1 });
    expect(result.pages.every((page) => !page.url.includes("/page/2"))).toBe(true);
    expect(result.skipped.some((skip) => skip.reason === "deeper than 1 links")).toBe(true);
  });

  it("records a failed start page instead of throwing", async () => {
    const fetcher = new SafeFetcher({ requestTimeoutMs: 2_000 });
    const result = await crawlSite(fixtures.url("wordpress-like"), fetcher);
    await fetcher.close();
    expect(result.pages).toEqual([]);
    expect(result.failures).toEqual([
      {
        url: fixtures.url("wordpress-like"),
        code: "blocked",
        message: "blocked: 127.0.0.1 is a loopback address",
      },
    ]);
  });

  it("follows the start page's redirects and records mixed content of an https-canonical page", async () => {
    const fetcher = new SafeFetcher({ allowPrivate: "loopback" });
    const redirected = await crawlSite(fixtures.url("redirects", "/old"), fetcher, {
      maxPages: 1,
      delayMs: 0,
    });
    await fetcher.close();
    expect(redirected.pages[0]?.url).toBe(fixtures.url("redirects", "/final/"));
    expect(redirected.pages[0]?.redirects.map((hop) => hop.status)).toEqual([301, 302]);
    const legacy = await crawl("legacy-weak", { maxPages: 1 });
    expect(legacy.pages[0]?.mixedContent).toEqual([
      "http://cdn.hartley-hardware.example/banners/spring-sale.jpg",
    ]);
  });
});

describe("crawler and robots.txt as real sites write it", () => {
  it("resolves relative and template-like Sitemap lines against robots.txt instead of failing the crawl", async () => {
    const bodies: Record<string, [string, string]> = {
      "/robots.txt": [
        "text/plain",
        "User-agent: *\nDisallow:\nSitemap: {{origin}}/broken.xml\nSitemap: /sitemap.xml\n",
      ],
      "/sitemap.xml": [
        "application/xml",
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' +
          "<url><loc>/only-in-sitemap/</loc></url></urlset>",
      ],
      "/": ["text/html", "<!doctype html><title>Home</title><p>home</p>"],
      "/only-in-sitemap/": ["text/html", "<!doctype html><title>Listed</title><p>listed</p>"],
    };
    const server = createServer((req, res) => {
      const body = bodies[req.url ?? ""];
      res
        .writeHead(body ? 200 : 404, { "content-type": body?.[0] ?? "text/plain" })
        .end(body?.[1] ?? "not found");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const fetcher = new SafeFetcher({ allowPrivate: "loopback", requestTimeoutMs: 2_000 });
    try {
      const result = await crawlSite(`${origin}/`, fetcher, { delayMs: 0 });
      expect(result.robots.sitemaps).toEqual([
        `${origin}/%7B%7Borigin%7D%7D/broken.xml`,
        `${origin}/sitemap.xml`,
      ]);
      expect(result.pages.map((page) => new URL(page.url).pathname).sort()).toEqual([
        "/",
        "/only-in-sitemap/",
      ]);
    } finally {
      await fetcher.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
