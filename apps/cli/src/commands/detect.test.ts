import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { runDetect, type DetectIo, type DetectJson } from "./detect";

let fixtures: FixtureServer;
beforeAll(async () => {
  fixtures = await startFixtureServer({ sites: ["wordpress-like", "legacy-weak"] });
});
afterAll(() => fixtures.close());

function captureIo(): DetectIo & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    interactive: false,
    stdout: (text: string) => void (io.out += text),
    stderr: (text: string) => void (io.err += text),
  };
  return io;
}

describe("detect", () => {
  it("--json prints exactly one JSON object keyed by the URLs as given", async () => {
    const io = captureIo();
    const wordpress = fixtures.url("wordpress-like");
    const legacy = fixtures.url("legacy-weak", "/index.php");
    const code = await runDetect([wordpress, legacy], { json: true, allowPrivate: true, maxPages: "3" }, io);
    expect(code).toBe(0);
    const parsed = JSON.parse(io.out) as Record<string, DetectJson>;
    expect(Object.keys(parsed)).toEqual([wordpress, legacy]);
    const site = parsed[wordpress]!;
    expect(Object.keys(site)).toEqual([
      "finalUrl",
      "technologies",
      "security",
      "vulnerabilities",
      "performance",
      "thirdParties",
      "evidence",
      "errors",
    ]);
    expect(site.technologies.find((tech) => tech.name === "WordPress")).toMatchObject({
      version: "6.4.2",
      confidence: 100,
    });
    // A layer inferred from what was seen says so, and from what.
    expect(site.technologies.find((tech) => tech.name === "MySQL")).toMatchObject({
      inferred: true,
      inferredFrom: [{ technology: "WordPress" }],
    });
    expect(Object.keys(site.security!.tests[0]!)).toEqual(["name", "pass", "scoreModifier", "result"]);
    expect(
      parsed[legacy]!.vulnerabilities.some((vuln) => vuln.library === "jquery" && vuln.version === "1.8.3"),
    ).toBe(true);
    expect(io.err).toBe("");
    // Two sites crawled for real on a shared machine: generous, bounded.
  }, 60_000);

  it("prints a readable table and progress on stderr", async () => {
    const io = captureIo();
    const code = await runDetect([fixtures.url("wordpress-like")], { allowPrivate: true, maxPages: 2 }, io);
    expect(code).toBe(0);
    expect(io.out).toMatch(/Technologies \(\d+\)/);
    expect(io.out).toMatch(/WordPress\s+6\.4\.2\s+100%/);
    expect(io.out).toMatch(/MySQL \(inferred from WordPress\)\s+-\s+80%/);
    expect(io.out).toMatch(/Security headers: grade [A-F][+-]? \(score \d+\/100\)/);
    expect(io.err).toContain("crawl: ");
  });

  it("refuses a loopback address without --allow-private: one line, non-zero exit", async () => {
    const io = captureIo();
    const url = fixtures.url("wordpress-like");
    const code = await runDetect([url], { json: true }, io);
    expect(code).toBe(1);
    expect(io.err).toBe(`techscaniq detect: ${url}: blocked: 127.0.0.1 is a loopback address\n`);
    expect(JSON.parse(io.out)[url].errors).toEqual([
      { url, stage: "input", message: "blocked: 127.0.0.1 is a loopback address" },
    ]);
  });

  it.each([
    [["ftp://example.org/"], {}, "techscaniq detect: ftp://example.org/: url unsupported scheme ftp:\n"],
    [["http://example.org/"], { maxPages: "zero" }, "techscaniq detect: --max-pages must be a number\n"],
  ])("rejects bad input %j %j", async (urls, flags, message) => {
    const io = captureIo();
    expect(await runDetect(urls, flags, io)).toBe(1);
    expect(io.err).toBe(message);
  });
});
