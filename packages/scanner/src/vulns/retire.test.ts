import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { EvidenceSet } from "../evidence";
import { fetchSnapshot, snapshot } from "../testing";
import { detectInContent, detectInUrl, findVulnerableLibraries } from "./retire";
import { loadRetireRepository, parseRetireRepository } from "./repository";
import { compareVersions, inRange } from "./version";

const JQUERY_183_BANNER =
  "/*! jQuery v1.8.3 jquery.com | jquery.org/license */\n(function(e,t){var n,r,i=typeof t;})(window);";

/** What the shipped retire data says about jQuery 1.8.3: identifier → severity. */
const JQUERY_183 = [
  ["CVE-2012-6708", "medium"],
  ["CVE-2020-7656", "medium"],
  ["CVE-2015-9251", "medium"],
  ["issue 11974", "medium"],
  ["retid 73", "low"],
  ["CVE-2019-11358", "medium"],
  ["CVE-2020-11023", "medium"],
  ["CVE-2020-11022", "medium"],
];

function summary(findings: ReturnType<typeof findVulnerableLibraries>) {
  return findings.map((f) => [
    f.identifiers[0] === undefined
      ? ""
      : (f.identifiers.find((i) => i.startsWith("CVE")) ?? f.identifiers[0]),
    f.severity,
  ]);
}

describe("version comparison", () => {
  it.each([
    ["1.8.3", "1.9.0", -1],
    ["1.10.0", "1.9.5", 1],
    ["1.0", "1.0.0", 0],
    ["1.0.0", "1.0.0.1", -1],
    ["3.0.0-rc.1", "3.0.0", -1],
    ["3.0.0-beta1", "3.0.0-rc.1", -1],
    ["3.0.0-alpha1", "3.0.0-beta1", -1],
    ["1.0.0-rc.10", "1.0.0-rc.9", 1],
    ["1.9.0b1", "1.9.0", -1],
    ["1.9.2b1", "1.9.1", 1],
    ["1.8.3", "1.9.0b1", -1],
    ["1.12.4-aem", "1.12.4", -1],
    ["1.12.4-aem", "1.12.3", 1],
    ["1.12.4-aem", "1.12.4-aem", 0],
    ["3.0.RC3", "3.0.0", -1],
    ["3.0.RC3", "3.0.rc2", 1],
    ["1.0RC2", "1.0.0", -1],
    ["2.999.999", "3.0.0", -1],
    ["15.0.4-canary.51", "15.0.4", -1],
  ])("%s vs %s → %i", (a, b, expected) => {
    expect(Math.sign(compareVersions(a, b))).toBe(expected);
    expect(Math.sign(compareVersions(b, a))).toBe(expected === 0 ? 0 : -expected);
  });

  it("ranges are [atOrAbove, below)", () => {
    expect(inRange("1.8.3", { atOrAbove: "1.4.0", below: "1.12.0" })).toBe(true);
    expect(inRange("1.12.0", { atOrAbove: "1.4.0", below: "1.12.0" })).toBe(false);
    expect(inRange("1.4.0", { atOrAbove: "1.4.0", below: "1.12.0" })).toBe(true);
    expect(inRange("3.0.0-rc.1", { atOrAbove: "3.0.0-rc.1", below: "3.0.0" })).toBe(true);
    expect(inRange("3.0.0", { atOrAbove: "3.0.0-rc.1", below: "3.0.0" })).toBe(false);
    expect(inRange("0.1", {})).toBe(true);
  });
});

describe("retire detection (shipped data)", () => {
  const { repository, source } = loadRetireRepository({
    cacheFile: join(tmpdir(), "no-such-retire-cache.json"),
  });

  it("reads the snapshot shipped in @salesforce/code-analyzer-retirejs-engine", () => {
    expect(source).toMatch(/code-analyzer-retirejs-engine\/vulnerabilities\/RetireJsVulns\.json$/);
    expect(Object.keys(repository)).toContain("jquery");
  });

  it("finds jQuery 1.8.3 by banner, file name and CDN path", () => {
    expect(detectInContent(JQUERY_183_BANNER, repository).map((d) => [d.library, d.version])).toContainEqual([
      "jquery",
      "1.8.3",
    ]);
    expect(detectInUrl("https://example.com/js/jquery-1.8.3.min.js?v=2", repository)).toMatchObject([
      { library: "jquery", version: "1.8.3", detection: "filename" },
    ]);
    expect(
      detectInUrl("https://cdnjs.cloudflare.com/ajax/libs/jquery/1.8.3/jquery.min.js", repository),
    ).toMatchObject([{ library: "jquery", version: "1.8.3", detection: "uri" }]);
  });

  it("jQuery 1.8.3 from its banner: the known advisories with retire's severities", () => {
    const evidence = new EvidenceSet();
    const page = snapshot({ url: "https://shop.example/", scripts: [{ content: JQUERY_183_BANNER }] });
    const findings = findVulnerableLibraries([page], evidence, { repository });
    expect(findings.every((f) => f.library === "jquery" && f.version === "1.8.3")).toBe(true);
    expect(summary(findings)).toEqual(JQUERY_183);
    expect(findings.find((f) => f.identifiers.includes("CVE-2020-11022"))).toMatchObject({
      identifiers: ["CVE-2020-11022", "issue 4642", "GHSA-gxr4-xjj5-5px2"],
      info: expect.arrayContaining(["https://blog.jquery.com/2020/04/10/jquery-3-5-0-released/"]),
    });
    expect(findings.find((f) => f.identifiers.includes("CVE-2015-9251"))?.summary).toBe(
      "3rd party CORS request may execute",
    );
    const ev = evidence.get(findings[0]!.evidence[0]!)!;
    expect(ev).toMatchObject({ kind: "script", collector: "retire", locator: "inline script #1" });
    expect(ev.snippet).toContain("/*! jQuery v1.8.3");
  });

  it("jQuery 1.8.3 from the file name alone", () => {
    const evidence = new EvidenceSet();
    const url = "https://shop.example/js/jquery-1.8.3.min.js";
    const findings = findVulnerableLibraries([snapshot({ scriptSrc: [url] })], evidence, { repository });
    expect(summary(findings)).toEqual(JQUERY_183);
    expect(evidence.get(findings[0]!.evidence[0]!)).toMatchObject({
      kind: "scriptSrc",
      locator: url,
      snippet: url,
    });
  });

  it("a current jQuery has no known vulnerabilities", () => {
    const page = snapshot({
      scriptSrc: ["https://code.example/jquery-3.7.1.min.js"],
      scripts: [
        {
          content: "/*! jQuery v3.7.1 | (c) OpenJS Foundation and other contributors | jquery.org/license */",
        },
      ],
    });
    expect(detectInContent(page.scripts[0]!.content, repository).map((d) => d.version)).toContain("3.7.1");
    expect(findVulnerableLibraries([page], new EvidenceSet(), { repository })).toEqual([]);
  });

  it("skips retire's 'dont check' URLs", () => {
    const page = snapshot({ scriptSrc: ["https://www.google-analytics.com/ga.js"] });
    expect(findVulnerableLibraries([page], new EvidenceSet(), { repository })).toEqual([]);
  });
});

describe("retire extractors on a repository of our own", () => {
  const content = "var widget = {}; // no banner\n";
  const sha1 = createHash("sha1").update(content).digest("hex");
  const repository = parseRetireRepository(
    JSON.stringify({
      widget: {
        vulnerabilities: [
          {
            below: "2.0.0",
            severity: "high",
            identifiers: { summary: "bad", CVE: ["CVE-2099-0001"] },
            info: ["https://example.org/a"],
          },
          {
            atOrAbove: "1.5.0",
            below: "1.6.0",
            severity: "low",
            identifiers: { bug: "7" },
            info: [],
            excludes: ["1.5.2"],
          },
        ],
        extractors: {
          hashes: { [sha1]: "1.5.2" },
          filecontentreplace: ['/widget\\.VERSION="(§§version§§)"/$1/'],
        },
      },
    }),
    "test",
  );

  it("matches file hashes, and honours excludes", () => {
    const findings = findVulnerableLibraries(
      [snapshot({ scripts: [{ url: "https://a.example/w.js", content }] })],
      new EvidenceSet(),
      {
        repository,
      },
    );
    expect(findings.map((f) => [f.version, f.identifiers])).toEqual([["1.5.2", ["CVE-2099-0001"]]]);
  });

  it("uses replacement extractors", () => {
    expect(detectInContent('x;widget.VERSION="1.5.1";y', repository)).toMatchObject([
      { library: "widget", version: "1.5.1", detection: "filecontentreplace" },
    ]);
  });

  it("rejects a malformed repository with the path of the problem", () => {
    expect(() =>
      parseRetireRepository(
        '{"x": {"extractors": {}, "vulnerabilities": [{"severity": "huge", "identifiers": {}}]}}',
        "bad.json",
      ),
    ).toThrow(/bad\.json is invalid at x\.vulnerabilities\.0\.severity/);
  });

  it("a refreshed cache file takes precedence over the shipped snapshot", () => {
    const dir = mkdtempSync(join(tmpdir(), "retire-"));
    const cacheFile = join(dir, "jsrepository.json");
    writeFileSync(cacheFile, JSON.stringify({ widget: { vulnerabilities: [], extractors: {} } }));
    const loaded = loadRetireRepository({ cacheFile });
    expect(loaded.source).toBe(cacheFile);
    expect(Object.keys(loaded.repository)).toEqual(["widget"]);
  });
});

describe("fixture: legacy-weak", () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer({ sites: ["legacy-weak"] });
  });
  afterAll(() => server.close());

  it("finds jQuery 1.8.3 by its URL and its banner", async () => {
    const page = await fetchSnapshot(server.url("legacy-weak"));
    const evidence = new EvidenceSet();
    const findings = findVulnerableLibraries([page], evidence);
    expect(summary(findings)).toEqual(JQUERY_183);
    const snippets = findings[0]!.evidence.map((id) => evidence.get(id)!.snippet);
    // The URL, the banner and the `jquery:"1.8.3"` property all show the version.
    expect(snippets).toEqual([
      server.url("legacy-weak", "/js/jquery-1.8.3.min.js"),
      expect.stringContaining("/*! jQuery v1.8.3 jquery.com"),
      expect.stringContaining('jquery:"1.8.3"'),
    ]);
  });
});
