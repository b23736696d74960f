import { type FixtureServer, startFixtureServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EvidenceSet } from "../evidence";
import { detectTechnologies, snapshotFromHtml } from "../fingerprints";
import { SafeFetcher } from "../net";
import { performanceStage } from "../scan";
import { crawlSite, type CrawlOptions } from "./crawler";
import { firstClicks, NOT_FOUND_PROBE_PATH } from "./front-page";

const SITES = [
  "frontpage-apache-default",
  "frontpage-nginx-default",
  "frontpage-tomcat-default",
  "frontpage-iis-default",
  "frontpage-login-redirect",
  "frontpage-signin-link",
  "frontpage-script-shell",
];

let fixtures: FixtureServer;
beforeAll(async () => {
  fixtures = await startFixtureServer({ sites: SITES });
});
afterAll(() => fixtures.close());

/** Crawls a fixture site over real HTTP and detects from every page the crawl kept. */
async function crawlAndDetect(site: string, options: Partial<CrawlOptions> = {}) {
  const fetcher = new SafeFetcher({ allowPrivate: "loopback", requestTimeoutMs: 5_000 });
  try {
    const crawl = await crawlSite(fixtures.url(site), fetcher, { delayMs: 0, ...options });
    const evidence = new EvidenceSet();
    const context = { origin: crawl.origin, robotsTxt: crawl.robots.text, tls: null, dns: null };
    const findings = detectTechnologies(crawl.pages, context, evidence);
    const find = (name: string) => findings.find((finding) => finding.name === name);
    const urlsOf = (name: string) =>
      [...new Set((find(name)?.evidence ?? []).map((id) => new URL(evidence.get(id)!.url).pathname))].sort();
    const paths = crawl.pages.map((page) => new URL(page.url).pathname + new URL(page.url).search);
    return { crawl, findings, find, urlsOf, paths };
  } finally {
    await fetcher.close();
  }
}

describe("truth: front page is a server's default page", () => {
  it("Apache's Debian default page; its error page gives the version", async () => {
    const { find, urlsOf } = await crawlAndDetect("frontpage-apache-default");
    expect(find("Apache HTTP Server")).toMatchObject({ version: "2.4.62" });
    expect(urlsOf("Apache HTTP Server")).toEqual(["/", NOT_FOUND_PROBE_PATH]);
    expect(find("Debian")).toMatchObject({ confidence: 100 });
    expect(find("Debian")!.inferred).toBeUndefined();
  });

  it("Apache's upstream 'It works!' page, and not an app's page that says the same", () => {
    const detect = (html: string) =>
      detectTechnologies(
        [snapshotFromHtml({ url: "https://site.example/", html })],
        { origin: "https://site.example", robotsTxt: null, tls: null, dns: null },
        new EvidenceSet(),
      ).map((finding) => [finding.name, finding.confidence]);
    expect(detect("<html><body><h1>It works!</h1></body></html>\n")).toEqual([["Apache HTTP Server", 75]]);
    expect(detect("<!doctype html><title>Demo</title><h1>It works!</h1><p>Hello from my app.</p>")).toEqual(
      [],
    );
  });

  it("nginx's welcome page", async () => {
    const { find, urlsOf } = await crawlAndDetect("frontpage-nginx-default");
    expect(find("Nginx")).toMatchObject({ version: "1.22.1" });
    expect(urlsOf("Nginx")).toEqual(["/", NOT_FOUND_PROBE_PATH]);
  });

  it("Tomcat's ROOT page (Tomcat sends no Server header), with Java inferred", async () => {
    const { find } = await crawlAndDetect("frontpage-tomcat-default");
    expect(find("Apache Tomcat")).toMatchObject({ version: "9.0.70", confidence: 100 });
    expect(find("Java")).toMatchObject({ inferred: true });
  });

  it("IIS's start page with the Server header removed, with Windows Server inferred", async () => {
    const { find, urlsOf } = await crawlAndDetect("frontpage-iis-default");
    expect(find("IIS")).toMatchObject({ confidence: 100 });
    expect(urlsOf("IIS")).toEqual(["/"]);
    expect(find("Windows Server")).toMatchObject({ inferred: true, inferredFrom: [{ technology: "IIS" }] });
  });
});

describe("truth: front page is an error page that signs the server", () => {
  it("requests one path no site serves, keeps the answer last and marked, and weighs nothing", async () => {
    const { crawl, urlsOf } = await crawlAndDetect("frontpage-nginx-default");
    const probe = crawl.pages.at(-1)!;
    expect(probe).toMatchObject({ probe: "not-found", status: 404 });
    expect(new URL(probe.url).pathname).toBe(NOT_FOUND_PROBE_PATH);
    expect(crawl.pages.filter((page) => page.probe)).toHaveLength(1);
    // The version is only on the error page.
    expect(urlsOf("Nginx")).toContain(NOT_FOUND_PROBE_PATH);
    const { performance } = performanceStage(crawl.pages, []);
    expect(performance.pages.map((page) => new URL(page.url).pathname)).toEqual(["/"]);
  });

  it("reads finalhandler's 'Cannot GET' page as Node.js, not Express (Eleventy and Connect send it too)", () => {
    const evidence = new EvidenceSet();
    const html =
      "<!DOCTYPE html><html><head><title>Error</title></head><body><pre>Cannot GET /x</pre></body></html>";
    const page = snapshotFromHtml({ url: "http://127.0.0.1/x", html, headers: {} });
    const context = { origin: "http://127.0.0.1", robotsTxt: null, tls: null, dns: null };
    const names = detectTechnologies([page], context, evidence).map((finding) => finding.name);
    expect(names).toContain("Node.js");
    expect(names).not.toContain("Express");
  });

  it("is one page of the budget and never the only one", async () => {
    const single = await crawlAndDetect("frontpage-nginx-default", { maxPages: 1 });
    expect(single.paths).toEqual(["/"]);
    expect(single.find("Nginx")!.version).toBeNull();
    const off = await crawlAndDetect("frontpage-nginx-default", { notFoundProbe: false });
    expect(off.paths).toEqual(["/"]);
  });
});

describe("truth: front page is a redirect to /login", () => {
  it("follows a 302 and a meta refresh to index.php?route=…, and detects the sign-in page", async () => {
    const { find, paths } = await crawlAndDetect("frontpage-login-redirect");
    expect(paths.slice(0, 2)).toEqual(["/portal/", "/index.php?route=common%2Flogin"]);
    expect(find("OpenCart")).toMatchObject({ confidence: 100 });
    expect(find("PHP")!.inferred).toBeUndefined();
    expect(find("MySQL")).toMatchObject({ inferred: true, inferredFrom: [{ technology: "OpenCart" }] });
  });

  it("reads redirects written in script, and only the first links a person would click", () => {
    const page = "https://app.example/";
    expect(firstClicks('<script>window.location.replace("/app/login?next=%2F")</script>', page)).toEqual([
      "https://app.example/app/login?next=%2F",
    ]);
    expect(firstClicks("<script>location.href = '/portal/';</script>", page)).toEqual([
      "https://app.example/portal/",
    ]);
    const links = [
      '<a href="/blog/">Blog</a>',
      '<a href="/pricing/">Pricing</a>',
      '<a href="/signin">Log in</a>',
      '<a href="/go" title="Enter the app">→</a>',
      '<a href="/users/sign_in">Account</a>',
      '<a href="/admin/" rel="nofollow">Admin</a>',
    ].join("");
    expect(firstClicks(links, page)).toEqual([
      "https://app.example/signin",
      "https://app.example/go",
      "https://app.example/users/sign_in",
    ]);
    // A page that asks not to be followed still redirects.
    expect(firstClicks(`<meta http-equiv="refresh" content="0;URL='/next/'">${links}`, page, false)).toEqual([
      "https://app.example/next/",
    ]);
  });
});

describe("truth: front page is a sign-in link", () => {
  it("visits the sign-in page before the sitemap's pages, within a small budget", async () => {
    const { find, paths } = await crawlAndDetect("frontpage-signin-link", { maxPages: 3 });
    expect(paths).toEqual(["/", "/account/login/", NOT_FOUND_PROBE_PATH]);
    expect(find("Django")).toBeDefined();
    expect(find("Python")).toMatchObject({ inferred: true, inferredFrom: [{ technology: "Django" }] });
  });
});

describe("truth: front page is a script shell", () => {
  it("reads the framework from the module the shell preloads", async () => {
    const { find, crawl } = await crawlAndDetect("frontpage-script-shell");
    expect(find("Ember.js")).toMatchObject({ version: "5.4.0" });
    expect(crawl.pages[0]!.scripts.map((script) => script.url)).toEqual([
      fixtures.url("frontpage-script-shell", "/assets/app-D8f3kQ1z.js"),
      fixtures.url("frontpage-script-shell", "/assets/vendor-Bq7xT2mA.js"),
    ]);
  });
});
