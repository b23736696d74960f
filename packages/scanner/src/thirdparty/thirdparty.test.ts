import { describe, expect, it } from "vitest";
import { EvidenceSet } from "../evidence";
import { snapshot } from "../testing";
import type { NetworkRequest } from "../types";
import { ownerOf, summarisePerformance, summariseThirdParties } from "./index";

const req = (url: string, resourceType: string, bytes: number, thirdParty = true): NetworkRequest => ({
  url,
  method: "GET",
  resourceType,
  status: 200,
  bytes,
  durationMs: 10,
  thirdParty,
});

const RENDERED = snapshot({
  url: "https://shop.example.co.uk/",
  rendered: true,
  timings: { ttfbMs: 120, domContentLoadedMs: 480, loadMs: 900 },
  requests: [
    req("https://shop.example.co.uk/", "document", 30_000, false),
    req("https://static.example.co.uk/app.js", "script", 250_000, false),
    req("https://www.googletagmanager.com/gtm.js?id=GTM-X", "script", 90_000),
    req("https://www.google-analytics.com/g/collect?v=2", "fetch", 0),
    req("https://www.google-analytics.com/g/collect?v=2&en=scroll", "fetch", 0),
    req("https://cdn.jsdelivr.net/npm/alpinejs@3/dist/cdn.min.js", "script", 44_000),
    req("https://fonts.gstatic.com/s/inter.woff2", "font", 48_000),
    req("https://assets.widgets.co.uk/w.js", "script", 12_000),
    req("https://static.example.co.uk/hero.jpg", "image", 400_000, false),
  ],
});

describe("third parties", () => {
  it("knows common owners by domain suffix", () => {
    expect(ownerOf("www.googletagmanager.com")).toEqual({
      owner: "Google Tag Manager",
      category: "tag-manager",
    });
    expect(ownerOf("cdnjs.cloudflare.com")).toEqual({ owner: "cdnjs", category: "cdn" });
    expect(ownerOf("www.cloudflare.com")).toEqual({ owner: "Cloudflare", category: "cdn" });
    expect(ownerOf("static.hotjar.com")?.owner).toBe("Hotjar");
    expect(ownerOf("unknown.example")).toBeNull();
  });

  it("groups requests per host, with owner or registrable domain (multi-part TLDs too)", () => {
    const evidence = new EvidenceSet();
    const found = summariseThirdParties([RENDERED], evidence);
    expect(
      found.map(({ host, owner, category, requests, bytes }) => ({ host, owner, category, requests, bytes })),
    ).toEqual([
      {
        host: "www.google-analytics.com",
        owner: "Google Analytics",
        category: "analytics",
        requests: 2,
        bytes: 0,
      },
      {
        host: "www.googletagmanager.com",
        owner: "Google Tag Manager",
        category: "tag-manager",
        requests: 1,
        bytes: 90_000,
      },
      { host: "fonts.gstatic.com", owner: "Google Fonts", category: "fonts", requests: 1, bytes: 48_000 },
      { host: "cdn.jsdelivr.net", owner: "jsDelivr", category: "cdn", requests: 1, bytes: 44_000 },
      { host: "assets.widgets.co.uk", owner: "widgets.co.uk", category: null, requests: 1, bytes: 12_000 },
    ]);
    expect(evidence.get(found[0]!.evidence[0]!)).toMatchObject({
      kind: "network",
      locator: "www.google-analytics.com",
      snippet:
        "GET https://www.google-analytics.com/g/collect?v=2 (fetch)\nGET https://www.google-analytics.com/g/collect?v=2&en=scroll (fetch)",
    });
  });

  it("uses script and stylesheet URLs of pages that were not rendered", () => {
    const page = snapshot({
      url: "https://example.com/",
      scriptSrc: [
        "https://example.com/a.js",
        "https://www.example.com/b.js",
        "https://unpkg.com/react@18/umd/react.production.min.js",
      ],
      stylesheets: ["https://fonts.googleapis.com/css2?family=Inter"],
    });
    expect(summariseThirdParties([page], new EvidenceSet()).map((f) => [f.host, f.owner])).toEqual([
      ["fonts.googleapis.com", "Google Fonts"],
      ["unpkg.com", "unpkg"],
    ]);
  });
});

describe("performance", () => {
  it("weighs pages by resource type, with timings and the largest resources", () => {
    const evidence = new EvidenceSet();
    const report = summarisePerformance(
      [RENDERED, snapshot({ url: "https://shop.example.co.uk/about", bytes: 12_345 })],
      evidence,
    );
    expect(report.pages[0]).toEqual({
      url: "https://shop.example.co.uk/",
      bytes: 874_000,
      requests: 9,
      bytesByType: { document: 30_000, script: 396_000, fetch: 0, font: 48_000, image: 400_000 },
      requestsByType: { document: 1, script: 4, fetch: 2, font: 1, image: 1 },
      ttfbMs: 120,
      domContentLoadedMs: 480,
      loadMs: 900,
    });
    expect(report.pages[1]).toMatchObject({
      bytes: 12_345,
      requests: 1,
      bytesByType: { document: 12_345 },
      ttfbMs: null,
    });
    expect(report.totalBytes).toBe(886_345);
    expect(report.totalRequests).toBe(10);
    expect(report.largestResources.slice(0, 3)).toEqual([
      { url: "https://static.example.co.uk/hero.jpg", bytes: 400_000, resourceType: "image" },
      { url: "https://static.example.co.uk/app.js", bytes: 250_000, resourceType: "script" },
      { url: "https://www.googletagmanager.com/gtm.js?id=GTM-X", bytes: 90_000, resourceType: "script" },
    ]);
    expect(evidence.get(report.evidence[0]!)!.snippet).toBe(
      [
        "https://shop.example.co.uk/: 9 requests, 874000 bytes",
        "image: 1 requests, 400000 bytes",
        "script: 4 requests, 396000 bytes",
        "font: 1 requests, 48000 bytes",
        "document: 1 requests, 30000 bytes",
        "fetch: 2 requests, 0 bytes",
        "ttfb 120 ms, DOMContentLoaded 480 ms, load 900 ms",
      ].join("\n"),
    );
  });
});
