import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { SafeFetcher } from "../net";
import { SiteRenderer, renderPages } from "./index";

let fixtures: FixtureServer;
let fetcher: SafeFetcher;
let renderer: SiteRenderer;
beforeAll(async () => {
  fixtures = await startFixtureServer({ sites: ["spa-react", "wordpress-like", "redirects"] });
  fetcher = new SafeFetcher({ allowPrivate: "loopback", requestTimeoutMs: 10_000 });
  renderer = await SiteRenderer.launch(fetcher, {
    jsGlobals: ["React.version", "_.VERSION", "jQuery.fn.jquery", "__APP_STATE__", "Vue.version"],
    domProperties: [{ selector: "#root", properties: ["_reactRootContainer"] }],
  });
});
afterAll(async () => {
  await renderer.close();
  await fetcher.close();
  await fixtures.close();
});

describe("renderer on spa-react", () => {
  it("sees the stack that only exists after JavaScript runs", async () => {
    const outcome = await renderer.render(fixtures.url("spa-react"));
    expect(outcome.error).toBeNull();
    const page = outcome.page!;
    expect(page.rendered).toBe(true);
    expect(page.status).toBe(200);
    expect(page.js).toEqual({ "React.version": "18.2.0", "_.VERSION": "4.17.21", __APP_STATE__: true });
    expect(page.domProperties).toEqual({ "#root": { _reactRootContainer: true } });
    expect(page.html).toContain('data-reactroot=""');
    expect(page.html).toContain("Ledger – $49/mo");
    expect(page.scriptSrc).toContain(fixtures.url("spa-react", "/static/js/vendor.js"));
    const vendor = page.scripts.find(
      (script) => script.url === fixtures.url("spa-react", "/static/js/vendor.js"),
    );
    expect(vendor?.content).toContain('var VERSION = "4.17.21"');
    expect(page.headers["content-security-policy"]?.[0]).toContain("default-src 'self'");
  });

  it("records every request, and refuses the private beacon by the same policy", async () => {
    const page = (await renderer.render(fixtures.url("spa-react"))).page!;
    const byUrl = new Map(page.requests.map((request) => [request.url, request]));
    expect(byUrl.get(fixtures.url("spa-react"))).toMatchObject({
      resourceType: "document",
      status: 200,
      thirdParty: false,
    });
    expect(byUrl.get(fixtures.url("spa-react", "/static/js/vendor.js"))).toMatchObject({
      resourceType: "script",
      status: 200,
    });
    expect(byUrl.get(fixtures.url("spa-react", "/api/data"))).toMatchObject({
      resourceType: "fetch",
      status: 200,
      method: "GET",
    });
    expect(byUrl.get(fixtures.url("spa-react", "/api/data"))!.bytes).toBeGreaterThan(50);
    expect(byUrl.get("http://10.0.0.1/collect.gif?page=home")).toMatchObject({
      resourceType: "image",
      status: null,
      thirdParty: true,
      blocked: "blocked: 10.0.0.1 is a private address",
    });
    expect(page.bytes).toBe(page.requests.reduce((sum, request) => sum + request.bytes, 0));
    expect(page.timings?.loadMs).toBeGreaterThanOrEqual(0);
    expect(page.mixedContent).toEqual([]);
  });

  it("takes a PNG screenshot", async () => {
    const page = (await renderer.render(fixtures.url("spa-react"))).page!;
    const png = Buffer.from(page.screenshotPng!, "base64");
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });
});

describe("renderer on other sites", () => {
  it("keeps every Set-Cookie and reads JS globals of a classic site", async () => {
    const page = (await renderer.render(fixtures.url("wordpress-like"))).page!;
    expect(page.cookies.map((cookie) => [cookie.name, cookie.httpOnly, cookie.sameSite])).toEqual([
      ["wordpress_test_cookie", true, "Lax"],
      ["pll_language", false, "Lax"],
    ]);
    expect(page.js["jQuery.fn.jquery"]).toBe("3.7.1");
    expect(page.consoleErrors).toEqual([]);
  });

  it("follows redirects itself through the policy and records the chain", async () => {
    const page = (await renderer.render(fixtures.url("redirects", "/old"))).page!;
    expect(page.url).toBe(fixtures.url("redirects", "/final/"));
    expect(page.redirects.map((hop) => hop.status)).toEqual([301, 302]);
    // The browser never followed a redirect itself: it only asked for the final URL.
    expect(
      page.requests.filter((request) => request.resourceType === "document").map((request) => request.url),
    ).toEqual([fixtures.url("redirects", "/final/")]);
  });

  it("refuses what the fetch policy refuses", async () => {
    expect((await renderer.render("ftp://files.example.org/")).error).toBe(
      "render failed: unsupported scheme ftp:",
    );
    expect((await renderer.render("http://169.254.169.254/latest/")).error).toBe(
      "render failed: blocked: 169.254.169.254 is a link-local address",
    );
  });

  it("records a refused page as a failure instead of throwing", async () => {
    const outcome = await renderer.render(fixtures.url("redirects", "/to-private"));
    expect(outcome.page).toBeNull();
    expect(outcome.error).toMatch(/^render failed: /);
  });
});

describe("renderPages", () => {
  it("closes the browser at once when the scan is cancelled", async () => {
    const controller = new AbortController();
    const cancellable = new SafeFetcher({ allowPrivate: "loopback", signal: controller.signal });
    controller.abort(new Error("cancelled"));
    const outcomes = await renderPages([fixtures.url("spa-react")], cancellable, { screenshot: false });
    expect(outcomes).toEqual([
      { url: fixtures.url("spa-react"), page: null, error: "render failed: scan cancelled" },
    ]);
    await cancellable.close();
  });
});
