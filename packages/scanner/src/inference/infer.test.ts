import { describe, expect, it } from "vitest";
import { EvidenceSet } from "../evidence";
import {
  compileRuleSet,
  detectTechnologies,
  getFingerprintDatabase,
  snapshotFromHtml,
} from "../fingerprints";
import type { SiteContext } from "../types";
import { inferLayers } from "./infer";
import { LAYER_INFERENCES } from "./layers";

const site: SiteContext = { origin: "https://site.example", robotsTxt: null, tls: null, dns: null };

function detect(html: string, headers: Record<string, string[]> = {}, db = getFingerprintDatabase()) {
  const evidence = new EvidenceSet();
  const page = snapshotFromHtml({ url: "https://site.example/", html, headers });
  const findings = detectTechnologies([page], site, evidence, db);
  const find = (name: string) => findings.find((finding) => finding.name === name);
  const snippets = (name: string) => (find(name)?.evidence ?? []).map((id) => evidence.get(id)!.snippet);
  return { findings, find, snippets };
}

const page = (head: string) => `<!doctype html><html><head>${head}</head><body><p>hello</p></body></html>`;
const generator = (content: string) => page(`<meta name="generator" content="${content}">`);

describe("truth: inferred language", () => {
  it.each([
    { from: "WordPress", html: generator("WordPress 6.4.2"), language: "PHP" },
    { from: "MediaWiki", html: generator("MediaWiki 1.39.5"), language: "PHP" },
    { from: "Ghost", html: generator("Ghost 5.75"), language: "Node.js" },
    {
      from: "Django",
      html: page('<form><input type="hidden" name="csrfmiddlewaretoken" value="x"></form>'),
      language: "Python",
    },
    { from: "Discourse", html: generator("Discourse 3.1.3"), language: "Ruby" },
  ])(
    "$from implies $language with a stated basis, lower confidence and its evidence",
    ({ from, html, language }) => {
      const { find, snippets } = detect(html);
      const source = find(from)!;
      const layer = find(language)!;
      expect(source.inferred).toBeUndefined();
      expect(layer).toMatchObject({ inferred: true, version: null });
      expect(layer.inferredFrom).toContainEqual({ technology: from, basis: expect.stringMatching(/\w/) });
      expect(layer.confidence).toBeLessThan(100);
      expect(layer.confidence).toBeLessThanOrEqual(source.confidence);
      // The evidence is what it was inferred from: the platform's own observation.
      expect(snippets(language)).toEqual(snippets(from));
    },
  );

  it("Tomcat implies Java; a Java header seen visibly is not inferred", () => {
    const inferred = detect(page(""), { "x-powered-by": ["Tomcat-9.0.70"] });
    expect(inferred.find("Java")).toMatchObject({
      inferred: true,
      inferredFrom: [{ technology: "Apache Tomcat", basis: "runs only on a Java virtual machine" }],
    });
  });
});

describe("truth: inferred database", () => {
  it("WordPress implies a MySQL-family database; Discourse implies PostgreSQL", () => {
    const wordpress = detect(generator("WordPress 6.4.2"));
    expect(wordpress.find("MySQL")).toMatchObject({
      inferred: true,
      confidence: 80,
      inferredFrom: [{ technology: "WordPress", basis: "works only with a MySQL-family database server" }],
    });
    const discourse = detect(generator("Discourse 3.1.3"));
    expect(discourse.find("PostgreSQL")).toMatchObject({ inferred: true, confidence: 80 });
  });
});

describe("truth: inferred operating system", () => {
  it("IIS implies Windows Server", () => {
    const { find } = detect(page(""), { server: ["Microsoft-IIS/10.0"] });
    expect(find("IIS")).toMatchObject({ version: "10.0" });
    expect(find("Windows Server")).toMatchObject({
      inferred: true,
      inferredFrom: [{ technology: "IIS", basis: expect.stringContaining("Windows") }],
    });
  });

  it("a Debian package suffix in X-Powered-By implies Debian and its release, citing that header", () => {
    const { find, snippets } = detect(page(""), { "x-powered-by": ["PHP/7.4.33-1+deb11u4"] });
    expect(find("PHP")).toMatchObject({ version: "7.4.33" });
    expect(find("Debian")).toMatchObject({ inferred: true, version: "11", confidence: 80 });
    expect(find("Debian")!.inferredFrom).toEqual([
      { technology: "PHP", basis: expect.stringContaining("Debian package build") },
    ]);
    expect(snippets("Debian")).toEqual(["x-powered-by: PHP/7.4.33-1+deb11u4"]);
  });

  it("a distribution the site shows outranks one a package suffix suggests", () => {
    const { findings } = detect(page(""), {
      server: ["Apache/2.4.41 (Ubuntu)"],
      "x-powered-by": ["PHP/7.4.33-1+deb11u4"],
    });
    expect(findings.filter((f) => f.categories.includes("Operating systems")).map((f) => f.name)).toEqual([
      "Ubuntu",
    ]);
  });

  it("nginx/1.22.1 alone implies no distribution; Apache/2.4.62 (Debian) shows it: not inferred", () => {
    expect(detect(page(""), { server: ["nginx/1.22.1"] }).findings.map((f) => f.name)).toEqual(["Nginx"]);
    const apache = detect(page(""), { server: ["Apache/2.4.62 (Debian)"] });
    expect(apache.find("Debian")).toBeDefined();
    expect(apache.find("Debian")!.inferred).toBeUndefined();
  });
});

describe("truth: inferred layers never cost the visible ones", () => {
  it("a technology seen on the page keeps its visible finding, evidence and version", () => {
    const { find, snippets } = detect(generator("WordPress 6.4.2"), { "x-powered-by": ["PHP/8.1.2"] });
    expect(find("PHP")).toMatchObject({ version: "8.1.2", confidence: 100 });
    expect(find("PHP")!.inferred).toBeUndefined();
    expect(snippets("PHP")).toEqual(["x-powered-by: PHP/8.1.2"]);
  });

  it("an inferred item implies nothing further: one hop from what was seen", () => {
    const db = compileRuleSet({
      technologies: new Map([
        ["Shop", { cats: [6], html: "shop-marker", implies: "Platform" }],
        ["Platform", { cats: [1], implies: "Language" }],
        ["Language", { cats: [27] }],
      ]),
      categories: getFingerprintDatabase().categories,
      projectRuleFiles: [],
    });
    const { findings } = detect(page('<i class="shop-marker"></i>'), {}, db);
    expect(findings.map((f) => [f.name, f.inferred ?? false])).toEqual([
      ["Platform", true],
      ["Shop", false],
    ]);
  });

  it("every inference names technologies the fingerprint database knows", () => {
    const { technologies } = getFingerprintDatabase();
    const unknown = LAYER_INFERENCES.flatMap((row) => [row.from, row.implies]).filter(
      (name) => !technologies.has(name),
    );
    expect(unknown).toEqual([]);
  });
});

describe("truth: inferred build tool only while the implication holds", () => {
  const nextJs = (version: string | null) => ({
    name: "Next.js",
    version,
    confidence: 100,
    categories: ["JavaScript frameworks"],
    evidence: [],
  });
  const inferred = (version: string | null) =>
    inferLayers([nextJs(version)], new EvidenceSet(), getFingerprintDatabase()).map((item) => item.name);

  it("Next.js 15 (or an unknown version) implies Webpack; Next.js 16 builds with Turbopack", () => {
    expect(inferred("15.5.4")).toContain("Webpack");
    expect(inferred(null)).toContain("Webpack");
    expect(inferred("16.0.1")).not.toContain("Webpack");
    expect(inferred("16.0.1")).toContain("React");
  });
});
