import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { FetchError } from "./net";
import { ScanInputError, scanSite, type ScanOptions, type ScanProgress } from "./scan";

let fixtures: FixtureServer;
beforeAll(async () => {
  fixtures = await startFixtureServer({
    sites: ["wordpress-like", "legacy-weak", "spa-react", "hostile-render"],
  });
});
afterAll(() => fixtures.close());

const offline: ScanOptions = {
  allowPrivate: "loopback",
  collectDns: false,
  collectTls: false,
  crawlDelayMs: 0,
  requestTimeoutMs: 5_000,
};

describe("scanSite end to end", () => {
  it("scans wordpress-like: stack with versions, grade, pages, evidence that checks out", async () => {
    const progress: ScanProgress[] = [];
    const result = await scanSite(fixtures.url("wordpress-like"), {
      ...offline,
      renderPages: 1,
      onProgress: (event) => progress.push(event),
    });
    const byName = new Map(result.technologies.map((tech) => [tech.name, tech]));
    expect(result.finalUrl).toBe(fixtures.url("wordpress-like"));
    expect(result.errors).toEqual([]);
    expect(byName.get("WordPress")?.version).toBe("6.4.2");
    expect(byName.get("jQuery")?.version).toBe("3.7.1");
    expect(byName.get("PHP")?.version).toBe("8.1.2");
    expect(byName.get("Nginx")?.version).toBe("1.24.0");
    // Six pages of the site and the answer to the error-page probe.
    expect(result.pages).toHaveLength(7);
    expect(result.pages.at(-1)).toMatchObject({ status: 404, rendered: false });
    expect(result.pages.filter((page) => page.rendered)).toHaveLength(2);
    expect(result.pages[0]?.screenshotPng).toBeDefined();
    expect(result.security?.grade).toMatch(/^[A-F][+-]?$/);
    expect(result.security?.tests.map((test) => test.name)).toContain("strict-transport-security");
    expect(result.performance.totalRequests).toBeGreaterThan(0);
    // Every cited evidence id exists, and the ids are stable hashes.
    const ids = new Set(result.evidence.map((item) => item.id));
    for (const tech of result.technologies) for (const id of tech.evidence) expect(ids.has(id)).toBe(true);
    for (const test of result.security!.tests) for (const id of test.evidence) expect(ids.has(id)).toBe(true);
    const generator = byName
      .get("WordPress")!
      .evidence.map((id) => result.evidence.find((item) => item.id === id)!);
    expect(generator.some((item) => item.snippet.includes("WordPress 6.4.2"))).toBe(true);
    // Progress runs forward from crawling to done.
    expect(progress[0]?.stage).toBe("crawl");
    expect(progress.at(-1)).toMatchObject({ stage: "done", progress: 1 });
    expect(progress.map((event) => event.progress)).toEqual(
      [...progress.map((event) => event.progress)].sort((a, b) => a - b),
    );
  });

  it("finds the vulnerable jQuery on legacy-weak and grades its missing headers", async () => {
    const result = await scanSite(fixtures.url("legacy-weak"), { ...offline, render: false });
    const jquery = result.vulnerabilities.filter((vuln) => vuln.library === "jquery");
    expect(jquery.length).toBeGreaterThan(0);
    expect(jquery.every((vuln) => vuln.version === "1.8.3")).toBe(true);
    expect(jquery.flatMap((vuln) => vuln.identifiers)).toContain("CVE-2020-11022");
    expect(result.security?.grade).toBe("F");
    expect(result.technologies.find((tech) => tech.name === "Apache HTTP Server")?.version).toBe("2.4.29");
  });

  it("sees spa-react's stack only when rendering", async () => {
    const plain = await scanSite(fixtures.url("spa-react"), { ...offline, render: false });
    const rendered = await scanSite(fixtures.url("spa-react"), { ...offline, renderPages: 0 });
    expect(plain.technologies.find((tech) => tech.name === "React")).toBeUndefined();
    expect(rendered.technologies.find((tech) => tech.name === "React")?.version).toBe("18.2.0");
  });
});

describe("scanSite input and refusals", () => {
  it.each([
    ["ftp://example.org/", "url unsupported scheme ftp:"],
    ["http://user:pw@example.org/", "url credentials in URL are not allowed"],
    ["not a url", "url invalid URL: not a url"],
    ["", "url is empty"],
  ])("rejects %s", async (url, message) => {
    await expect(scanSite(url, offline)).rejects.toThrow(new ScanInputError(message));
  });

  it("rejects an overlong URL", async () => {
    await expect(scanSite("https://example.org/" + "a".repeat(2100), offline)).rejects.toThrow(
      new ScanInputError("url is longer than 2048 characters"),
    );
  });

  it("rejects bad options with the option's name", async () => {
    await expect(scanSite(fixtures.url("wordpress-like"), { ...offline, maxPages: 0 })).rejects.toThrow(
      "maxPages: maxPages must be at least 1",
    );
  });

  it("refuses a loopback target unless allowed", async () => {
    const error = await scanSite(fixtures.url("wordpress-like"), { collectDns: false }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(FetchError);
    expect((error as FetchError).message).toBe("blocked: 127.0.0.1 is a loopback address");
  });

  it("stops when cancelled", async () => {
    const controller = new AbortController();
    const pending = scanSite(fixtures.url("wordpress-like"), {
      ...offline,
      crawlDelayMs: 200,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error("cancelled")), 150);
    await expect(pending).rejects.toThrow("aborted");
  });
});

describe("trust: deadlines on rendering", () => {
  // The page deadline is generous: on a loaded machine an ordinary page may take several seconds.
  it(
    "finishes a scan whose pages loop forever or grow without end, and renders the others",
    { timeout: 240_000 },
    async () => {
      const result = await scanSite(fixtures.url("hostile-render"), {
        ...offline,
        renderPages: 3,
        screenshots: false,
        renderPageTimeoutMs: 30_000,
        renderMaxHtmlChars: 100_000,
      });
      const url = (path: string) => fixtures.url("hostile-render", path);
      expect(result.errors).toEqual([
        {
          url: url("/loop/"),
          stage: "render",
          message: expect.stringMatching(/^render timed out: page took longer than 30 s \(.+\)$/),
        },
      ]);
      expect(
        result.pages
          .filter((page) => page.rendered)
          .map((page) => page.url)
          .sort(),
      ).toEqual([url("/"), url("/about/"), url("/grow/")].sort());
    },
  );
});
