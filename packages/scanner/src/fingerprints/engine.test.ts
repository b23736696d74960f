import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FixtureServer, startFixtureServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EvidenceSet } from "../evidence";
import type { PageSnapshot, SiteContext } from "../types";
import { analyzePage } from "./analyze";
import { compileRuleSet } from "./compile";
import { detectTechnologies, fingerprintDomProperties, fingerprintJsGlobals } from "./detect";
import { type TechnologyRule, databaseDir, loadRuleSet, readDatabase } from "./rules";
import { snapshotFromHtml } from "./snapshot";

/** One technology per rule kind, aimed at fixtures/sites/fingerprints-kinds. */
const RULES: Record<string, TechnologyRule> = {
  "Acme Engine": {
    cats: [2],
    headers: { "X-Acme-Engine": "^AcmeEngine/([\\d.]+)\\;version:\\1" },
    implies: "Acme Runtime\\;confidence:50",
  },
  "Acme Runtime": { cats: [2] },
  "Acme Session": { cats: [2], cookies: { acme_session: "" } },
  "Acme AB": { cats: [2], cookies: { "_acme_ab_*": "^(B)?.*$\\;version:\\1?variant-b:variant-a" } },
  AcmeCMS: { cats: [1], meta: { generator: "AcmeCMS ([\\d.]+)\\;version:\\1" } },
  "Acme Widgets": {
    cats: [2],
    scriptSrc: "acme-widgets-([\\d.]+)(?:\\.min)?\\.js\\;version:\\1",
    excludes: "Acme Lite",
  },
  "Acme Lite": { cats: [2], scriptSrc: "acme-lite\\.js" },
  AcmeTrack: { cats: [2], scripts: "AcmeTrack v([\\d.]+)\\;version:\\1" },
  "Acme Grid": { cats: [2], css: "\\.acme-grid\\s*\\{" },
  "Acme Comment": {
    cats: [2],
    html: ["<!-- acme-comment -->\\;confidence:40", "acme-comment -->\\;confidence:30"],
  },
  AcmeBuilder: { cats: [2], text: "Built with AcmeBuilder ([\\d.]+)\\;version:\\1" },
  "Acme App": {
    cats: [2],
    dom: {
      "#acme-root": { attributes: { "data-acme-version": "([\\d.]+)\\;version:\\1" } },
      ".acme-badge": { text: "AcmeBuilder" },
      "div.acme-app": { exists: "", properties: { _acmeInstance: "" } },
    },
  },
  "Acme Missing Dom": { cats: [2], dom: ["#not-in-page", "table.acme"] },
  "Acme Url": { cats: [2], url: "127\\.0\\.0\\.1:\\d+/$" },
  "Acme Js": { cats: [2], js: { "acme.version": "^([\\d.]+)$\\;version:\\1", "acmeConfig[debug]": "" } },
  "Acme Dns": { cats: [2], dns: { MX: "mx\\.acmemail\\.example", TXT: "acme-verification=" } },
  "Acme CA": { cats: [2], certIssuer: "Acme Trust CA" },
  "Acme Robots": { cats: [2], robots: "Disallow: /acme-admin/" },
  "Acme Api": { cats: [2], xhr: "api\\.acme\\.example" },
  "Acme Plugin": { cats: [3], requires: "AcmeCMS", html: "acme-root" },
  "Other CMS": { cats: [1], html: "other-cms-marker" },
  "Other Plugin": { cats: [3], requires: "Other CMS", html: "acme-root" },
  "Acme Category Plugin": { cats: [3], requiresCategory: 1, html: "acme-app" },
  "Other Category Plugin": { cats: [3], requiresCategory: 5, html: "acme-app" },
  Broken: { cats: [2], html: ["acme-(badge", "acme-badge\\;confidence:60"], implies: "Nowhere" },
};

const db = compileRuleSet({
  technologies: new Map(Object.entries(RULES)),
  categories: new Map(
    [
      [1, "CMS"],
      [2, "Widgets"],
      [3, "Plugins"],
      [5, "Shops"],
    ].map(([id, name]) => [id as number, { id: id as number, name: name as string, priority: 1 }]),
  ),
  projectRuleFiles: [],
});

let server: FixtureServer;
let page: PageSnapshot;
let site: SiteContext;

beforeAll(async () => {
  server = await startFixtureServer({ sites: ["fingerprints-kinds"] });
  const response = await fetch(server.url("fingerprints-kinds"));
  const headers: Record<string, string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = [value];
  });
  headers["set-cookie"] = response.headers.getSetCookie();
  page = {
    ...snapshotFromHtml({ url: response.url, html: await response.text(), headers }),
    // What the renderer adds for a rendered page.
    rendered: true,
    js: { "acme.version": "1.2.3", "acmeConfig.debug": false },
    domProperties: { "div.acme-app": { _acmeInstance: true } },
    requests: [
      {
        url: "https://api.acme.example/v1/ping",
        method: "GET",
        resourceType: "fetch",
        status: 200,
        bytes: 12,
        durationMs: 5,
        thirdParty: true,
      },
      {
        url: "https://img.acme.example/a.png",
        method: "GET",
        resourceType: "image",
        status: 200,
        bytes: 12,
        durationMs: 5,
        thirdParty: true,
      },
    ],
  };
  site = {
    origin: server.originOf("fingerprints-kinds"),
    robotsTxt: "User-agent: *\nDisallow: /acme-admin/\n",
    tls: {
      host: "acme.example",
      protocol: "TLSv1.3",
      cipher: null,
      issuer: "CN=Acme Trust CA R3, O=Acme Trust",
      subject: null,
      subjectAltNames: [],
      validFrom: null,
      validTo: null,
      daysRemaining: null,
      authorized: true,
      authorizationError: null,
    },
    dns: {
      host: "acme.example",
      a: [],
      aaaa: [],
      mx: [{ exchange: "mx.acmemail.example", priority: 10 }],
      txt: ["v=spf1 -all", "acme-verification=abc123"],
      spf: "v=spf1 -all",
      dmarc: null,
      caa: [],
      ns: [],
      cname: [],
      errors: [],
    },
  };
});
afterAll(async () => {
  await server.close();
});

function run() {
  const evidence = new EvidenceSet();
  const findings = detectTechnologies([page], site, evidence, db);
  const find = (name: string) => findings.find((f) => f.name === name);
  const snippets = (name: string) =>
    (find(name)?.evidence ?? []).map((id) => {
      const item = evidence.get(id)!;
      return `${item.kind} ${item.locator} | ${item.snippet}`;
    });
  return { findings, find, snippets, evidence };
}

describe("fingerprint engine: every rule kind", () => {
  it("finds exactly the expected technologies, versions and confidences", () => {
    const { findings } = run();
    expect(findings.map((f) => [f.name, f.version, f.confidence])).toEqual([
      ["Acme AB", "variant-b", 100],
      ["Acme Api", null, 100],
      ["Acme App", "9.8.7", 100],
      ["Acme CA", null, 100],
      ["Acme Category Plugin", null, 100],
      ["Acme Comment", null, 70],
      ["Acme Dns", null, 100],
      ["Acme Engine", "4.2.0", 100],
      ["Acme Grid", null, 100],
      ["Acme Js", "1.2.3", 100],
      ["Acme Plugin", null, 100],
      ["Acme Robots", null, 100],
      ["Acme Runtime", null, 50],
      ["Acme Session", null, 100],
      ["Acme Url", null, 100],
      ["Acme Widgets", "2.5.0", 100],
      ["AcmeBuilder", "5.0", 100],
      ["AcmeCMS", "7.1", 100],
      ["AcmeTrack", "3.0.1", 100],
      ["Broken", null, 60],
    ]);
  });

  it("records the exact matched snippet for each kind", () => {
    const { snippets } = run();
    const origin = site.origin;
    expect(snippets("Acme Engine")).toEqual([
      "header x-acme-engine | x-acme-engine: AcmeEngine/4.2.0 (build 77)",
    ]);
    expect(snippets("Acme Session")).toEqual(["cookie acme_session | acme_session=s3cr3t"]);
    expect(snippets("Acme AB")).toEqual(["cookie _acme_ab_42 | _acme_ab_42=B"]);
    expect(snippets("AcmeCMS")).toEqual([
      'meta meta[name="generator"] | <meta name="generator" content="AcmeCMS 7.1">',
    ]);
    expect(snippets("Acme Widgets")).toEqual([
      `scriptSrc ${origin}/assets/acme-widgets-2.5.0.min.js | ${origin}/assets/acme-widgets-2.5.0.min.js`,
    ]);
    expect(snippets("AcmeTrack")).toEqual(["script inline script #1 |   /*! AcmeTrack v3.0.1 */"]);
    expect(snippets("Acme Grid")).toEqual(["css inline style #1 |   .acme-grid { display: grid; }"]);
    expect(snippets("Acme Comment")).toEqual(["html line 21 | <!-- acme-comment -->"]);
    expect(snippets("AcmeBuilder")).toEqual(["html text | Built with AcmeBuilder 5.0"]);
    expect(snippets("Acme App")).toEqual(
      [
        '#acme-root | <div id="acme-root" data-acme-version="9.8.7" class="acme-app">',
        ".acme-badge | Built with AcmeBuilder 5.0",
        'div.acme-app | <div id="acme-root" data-acme-version="9.8.7" class="acme-app">',
        "div.acme-app | _acmeInstance = true",
      ].map((s) => "dom " + s),
    );
    expect(snippets("Acme Url")).toEqual([`url url | ${origin}/`]);
    expect(snippets("Acme Js")).toEqual([
      'js acme.version | acme.version = "1.2.3"',
      "js acmeConfig.debug | acmeConfig.debug = false",
    ]);
    expect(snippets("Acme Dns")).toEqual([
      "dns MX | MX mx.acmemail.example",
      "dns TXT | TXT acme-verification=abc123",
    ]);
    expect(snippets("Acme CA")).toEqual(["tls certificate issuer | CN=Acme Trust CA R3, O=Acme Trust"]);
    expect(snippets("Acme Robots")).toEqual(["robots line 2 | Disallow: /acme-admin/"]);
    expect(snippets("Acme Api")).toEqual(["network https://api.acme.example/v1/ping | api.acme.example"]);
  });

  it("implies (citing the implier's evidence), excludes, requires and requiresCategory", () => {
    const { find } = run();
    expect(find("Acme Runtime")!.evidence).toEqual(find("Acme Engine")!.evidence);
    expect(find("Acme Lite")).toBeUndefined();
    expect(find("Acme Plugin")).toBeDefined();
    expect(find("Other Plugin")).toBeUndefined();
    expect(find("Acme Category Plugin")).toBeDefined();
    expect(find("Other Category Plugin")).toBeUndefined();
    expect(find("Acme Missing Dom")).toBeUndefined();
  });

  it("without the requirement present, a requiring technology is not reported even though its pattern matches", () => {
    const withoutCms = {
      ...page,
      html: page.html.replace('<meta name="generator" content="AcmeCMS 7.1">', ""),
    };
    const findings = detectTechnologies([withoutCms], site, new EvidenceSet(), db);
    expect(analyzePage(withoutCms, db).some((m) => m.pattern.technology.name === "Acme Plugin")).toBe(true);
    expect(findings.map((f) => f.name)).not.toContain("Acme Plugin");
  });

  it("skips and counts invalid patterns and references to unknown technologies", () => {
    expect(db.invalid).toEqual([
      {
        technology: "Broken",
        kind: "html",
        pattern: "acme-(badge",
        error: "Invalid regular expression: /acme-(badge/i: Unterminated group",
      },
      { technology: "Broken", kind: "implies", pattern: "Nowhere", error: "unknown technology" },
    ]);
  });

  it("tells the renderer which JS paths and DOM properties to read", () => {
    expect(fingerprintJsGlobals(db)).toEqual(["acme.version", "acmeConfig.debug"]);
    expect(fingerprintDomProperties(db)).toEqual([
      { selector: "div.acme-app", properties: ["_acmeInstance"] },
    ]);
  });

  it("gives the same evidence ids for the same input", () => {
    const first = run().findings.flatMap((f) => f.evidence);
    const second = run().findings.flatMap((f) => f.evidence);
    expect(second).toEqual(first);
  });
});

describe("rule database and project rules", () => {
  it("fingerprint data: reads a single-file technologies.json database as well as technologies/*.json", () => {
    const dir = mkdtempSync(join(tmpdir(), "fingerprint-db-"));
    try {
      writeFileSync(join(dir, "categories.json"), JSON.stringify({ "1": { name: "CMS", priority: 1 } }));
      writeFileSync(
        join(dir, "technologies.json"),
        JSON.stringify({ Acme: { cats: [1], meta: { generator: "^Acme ([\\d.]+)\\;version:\\1" } } }),
      );
      const single = readDatabase(dir);
      expect([...single.technologies.keys()]).toEqual(["Acme"]);
      expect(single.categories.get(1)).toEqual({ id: 1, name: "CMS", priority: 1 });
      expect(readDatabase(databaseDir()).technologies.size).toBeGreaterThan(3000);
      rmSync(join(dir, "technologies.json"));
      expect(() => readDatabase(dir)).toThrow(/cannot read fingerprint rules .*technologies\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("loads the webappanalyzer database from node_modules with the project rules merged over it", () => {
    const rules = loadRuleSet();
    expect(rules.technologies.size).toBeGreaterThan(3000);
    expect(rules.projectRuleFiles).toEqual([
      "ember-banner.json",
      "htmx.json",
      "matomo.json",
      "phpmyadmin.json",
      "server-pages.json",
      "vitepress.json",
      "vue-app-root.json",
      "wordpress-asset-versions.json",
    ]);
    // "extend" keeps the database's patterns and adds the project's.
    expect(rules.technologies.get("Htmx")!.scriptSrc).toEqual([
      "/htmx\\.org@([\\d\\.]+)\\;version:\\1",
      "/htmx(?:\\.min)?\\.js(?:$|\\?)",
    ]);
  });

  it("replaces a database technology with $merge: replace, and rejects bad project rules with a clear error", () => {
    const dir = mkdtempSync(join(tmpdir(), "fingerprint-rules-"));
    try {
      writeFileSync(
        join(dir, "a.json"),
        JSON.stringify({ jQuery: { $merge: "replace", cats: [59], scriptSrc: "my-jquery\\.js" } }),
      );
      expect(loadRuleSet(dir).technologies.get("jQuery")).toEqual({
        cats: [59],
        scriptSrc: "my-jquery\\.js",
      });
      writeFileSync(join(dir, "a.json"), JSON.stringify({ "Brand New": { html: "x" } }));
      expect(() => loadRuleSet(dir)).toThrow(
        `project rule "Brand New" in ${join(dir, "a.json")} adds a technology and needs "cats"`,
      );
      writeFileSync(join(dir, "a.json"), JSON.stringify({ jQuery: { headers: ["not a map"] } }));
      expect(() => loadRuleSet(dir)).toThrow(/invalid project rules in .*a\.json: jQuery\.headers/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
