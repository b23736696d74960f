import { describe, expect, it } from "vitest";
import { boundQuantifiers, parsePattern, requiredLiterals, resolveVersionTemplate } from "./pattern";
import { bestVersion, isPlausibleVersion, rankVersions, writtenVersion } from "./versions";

const exec = (source: string, value: string) => new RegExp(source, "i").exec(value)!;

describe("patterns", () => {
  it("parses confidence and version tags", () => {
    expect(parsePattern("^WordPress(?: ([\\d.]+))?\\;version:\\1\\;confidence:50")).toEqual({
      source: "^WordPress(?: ([\\d.]+))?",
      confidence: 50,
      version: "\\1",
    });
  });

  it("resolves back references and ternaries", () => {
    expect(resolveVersionTemplate("\\1", exec("jquery-([\\d.]+)", "jquery-3.7.1.min.js"))).toBe("3.7.1");
    expect(resolveVersionTemplate("\\1?UA:", exec("gtag\\([^)]+'(UA-)", "gtag('config','UA-1')"))).toBe("UA");
    expect(resolveVersionTemplate("\\1?next:legacy", exec("app(-next)?\\.js", "app.js"))).toBe("legacy");
    expect(resolveVersionTemplate("\\1.\\2", exec("v(\\d+)_(\\d+)", "v3_2"))).toBe("3.2");
  });

  it("bounds unbounded quantifiers outside classes and escapes", () => {
    expect(boundQuantifiers("a+b*[+*]\\+")).toBe("a{1,250}b{0,250}[+*]\\+");
  });

  it("finds the literals every match must contain", () => {
    expect(requiredLiterals("/wp-(?:content|includes)/")).toEqual(["/wp-"]);
    expect(requiredLiterals("(?:piwik|matomo)\\.js")).toEqual([".js"]);
    expect(requiredLiterals("piwik\\.js|piwik\\.php")).toEqual(["piwik.js", "piwik.php"]);
    expect(requiredLiterals("^Next\\.js ?([0-9.]+)?")).toEqual(["next.js"]);
    expect(requiredLiterals("jquery(?:-(\\d+))?x{2,3}")).toEqual(["jquery"]);
    expect(requiredLiterals("ab?c")).toBeNull();
  });
});

describe("best version", () => {
  it("prefers the best-supported version, not the first one", () => {
    expect(
      bestVersion([
        { version: "3.4.1", source: "scriptSrc", confidence: 100 },
        { version: "3.7.1", source: "scriptSrc", confidence: 100 },
        { version: "3.7.1", source: "js", confidence: 100 },
      ]),
    ).toBe("3.7.1");
  });

  it("weighs a self-declared version over an asset path", () => {
    expect(
      bestVersion([
        { version: "6.3", source: "scriptSrc", confidence: 100 },
        { version: "6.4.2", source: "meta", confidence: 100 },
      ]),
    ).toBe("6.4.2");
  });

  it("lets a specific version collect the support of the versions it refines", () => {
    expect(
      bestVersion([
        { version: "6.4", source: "html", confidence: 100 },
        { version: "6.4", source: "html", confidence: 100 },
        { version: "6.4.2", source: "scriptSrc", confidence: 100 },
        { version: "5.9", source: "scriptSrc", confidence: 100 },
        { version: "5.9", source: "html", confidence: 100 },
      ]),
    ).toBe("6.4.2");
  });

  it("ignores cache-busters and hashes", () => {
    expect(isPlausibleVersion("1700000000")).toBe(false);
    expect(isPlausibleVersion("20240115")).toBe(false);
    expect(isPlausibleVersion("8c1f3e9a")).toBe(false);
    expect(isPlausibleVersion("6.4.2")).toBe(true);
    expect(isPlausibleVersion("GA4")).toBe(true);
    expect(bestVersion([{ version: "1700000000", source: "scriptSrc", confidence: 100 }])).toBeNull();
  });
});

describe("truth: conflicting versions (the rule)", () => {
  it("keeps every reading with its evidence, best-supported first", () => {
    expect(
      rankVersions([
        { version: "5.3.2", source: "banner", confidence: 100, evidence: "ev_banner" },
        { version: "4.6.0", source: "query", confidence: 80, evidence: "ev_query" },
      ]).map(({ version, sources, evidence }) => ({ version, sources, evidence })),
    ).toEqual([
      { version: "5.3.2", sources: ["banner"], evidence: ["ev_banner"] },
      { version: "4.6.0", sources: ["query"], evidence: ["ev_query"] },
    ]);
  });

  it("never invents precision: a major version stays one, and borrows nothing from a different line", () => {
    expect(bestVersion([{ version: "10", source: "generator", confidence: 100 }])).toBe("10");
    expect(
      bestVersion([
        { version: "10", source: "meta", confidence: 100 },
        { version: "9.5.11", source: "query", confidence: 100 },
      ]),
    ).toBe("10");
    // A more specific reading of the same line does win: it refines the major one.
    expect(
      bestVersion([
        { version: "7", source: "meta", confidence: 100 },
        { version: "7.98", source: "file", confidence: 100 },
      ]),
    ).toBe("7.98");
  });

  it("refines written versions without reading 6.4 into 6.40", () => {
    expect(
      bestVersion([
        { version: "2024-02-06", source: "meta", confidence: 100 },
        { version: '2024-02-06a "Kaos"', source: "generator", confidence: 100 },
      ]),
    ).toBe('2024-02-06a "Kaos"');
    expect(
      rankVersions([
        { version: "6.4", source: "meta", confidence: 100 },
        { version: "6.40", source: "query", confidence: 100 },
      ])[0]!.version,
    ).toBe("6.4");
    expect(writtenVersion(" Release 2024-02-06")).toBe("2024-02-06");
    expect(writtenVersion("v5")).toBe("5");
  });
});
