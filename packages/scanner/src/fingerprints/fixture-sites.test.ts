import { type FixtureServer, startFixtureServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EvidenceSet } from "../evidence";
import type { TechnologyFinding } from "../result";
import type { PageSnapshot, SiteContext } from "../types";
import { detectTechnologies } from "./detect";
import { snapshotFromHtml } from "./snapshot";

let server: FixtureServer;

beforeAll(async () => {
  server = await startFixtureServer({
    sites: [
      "wordpress-like",
      "legacy-weak",
      "fingerprints-wp-assets",
      "fingerprints-htmx",
      "fingerprints-matomo",
    ],
  });
});
afterAll(async () => {
  await server.close();
});

async function fetchPage(url: string): Promise<PageSnapshot> {
  const response = await fetch(url);
  const headers: Record<string, string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = [value];
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  return snapshotFromHtml({
    url: response.url,
    html: await response.text(),
    headers,
    status: response.status,
  });
}

async function detect(site: string, paths: string[] = ["/"]) {
  const pages = await Promise.all(paths.map((path) => fetchPage(server.url(site, path))));
  const context: SiteContext = { origin: server.originOf(site), robotsTxt: null, tls: null, dns: null };
  const evidence = new EvidenceSet();
  const findings = detectTechnologies(pages, context, evidence);
  const snippets = (finding: TechnologyFinding | undefined) =>
    (finding?.evidence ?? []).map((id) => {
      const item = evidence.get(id)!;
      return `${item.kind} ${item.locator} | ${item.snippet}`;
    });
  const find = (name: string) => findings.find((f) => f.name === name);
  return { findings, evidence, snippets, find, origin: server.originOf(site) };
}

const summary = (findings: TechnologyFinding[]) => findings.map((f) => [f.name, f.version, f.confidence]);

describe("fixture sites through a real HTTP server", () => {
  it("wordpress-like: WordPress 6.4.2 on PHP 8.1.2 and nginx 1.24.0 with jQuery 3.7.1", async () => {
    const { findings, snippets, find, origin, evidence } = await detect("wordpress-like", ["/", "/about/"]);
    expect(summary(findings)).toEqual([
      ["jQuery", "3.7.1", 100],
      ["jQuery Migrate", "3.4.1", 100],
      ["MySQL", null, 80],
      ["Nginx", "1.24.0", 100],
      ["PHP", "8.1.2", 100],
      ["Polylang", null, 100],
      ["WordPress", "6.4.2", 100],
    ]);
    expect(find("WordPress")!.categories).toEqual(["CMS", "Blogs"]);
    const wordpress = snippets(find("WordPress"));
    expect(wordpress).toContain(
      'meta meta[name="generator"] | <meta name="generator" content="WordPress 6.4.2">',
    );
    expect(wordpress).toContain(`header x-pingback | x-pingback: ${origin}/xmlrpc.php`);
    expect(wordpress).toContain(`header link | link: <${origin}/wp-json/>; rel="https://api.w.org/"`);
    expect(wordpress).toContain(
      `scriptSrc ${origin}/wp-includes/js/jquery/jquery.min.js?ver=3.7.1 | ${origin}/wp-includes/js/jquery/jquery.min.js?ver=3.7.1`,
    );
    // The same header on two pages is two observations.
    expect(snippets(find("PHP"))).toEqual(Array(2).fill("header x-powered-by | x-powered-by: PHP/8.1.2"));
    expect(find("PHP")!.evidence.map((id) => evidence.get(id)!.url)).toEqual([
      `${origin}/`,
      `${origin}/about/`,
    ]);
    expect(snippets(find("Nginx"))).toEqual(Array(2).fill("header server | server: nginx/1.24.0"));
    expect(snippets(find("Polylang"))).toEqual(["cookie pll_language | pll_language=en"]);
    // MySQL is implied by WordPress and cites WordPress's evidence.
    expect(find("MySQL")!.evidence).toEqual(find("WordPress")!.evidence);
    expect(snippets(find("jQuery"))).toContain(
      `scriptSrc ${origin}/wp-includes/js/jquery/jquery.min.js?ver=3.7.1 | ${origin}/wp-includes/js/jquery/jquery.min.js?ver=3.7.1`,
    );
  });

  it("legacy-weak: Apache 2.4.29 on Ubuntu, PHP 5.6.40, jQuery 1.8.3", async () => {
    const { findings, snippets, find, origin } = await detect("legacy-weak");
    expect(summary(findings)).toEqual([
      ["Apache HTTP Server", "2.4.29", 100],
      ["jQuery", "1.8.3", 100],
      ["PHP", "5.6.40", 100],
      ["Ubuntu", null, 100],
    ]);
    expect(snippets(find("Apache HTTP Server"))).toEqual(["header server | server: Apache/2.4.29 (Ubuntu)"]);
    expect(snippets(find("Ubuntu"))).toEqual(["header server | server: Apache/2.4.29 (Ubuntu)"]);
    expect(snippets(find("jQuery"))).toEqual([
      `scriptSrc ${origin}/js/jquery-1.8.3.min.js | ${origin}/js/jquery-1.8.3.min.js`,
    ]);
    expect(snippets(find("PHP"))).toEqual([
      "header x-powered-by | x-powered-by: PHP/5.6.40",
      "cookie PHPSESSID | PHPSESSID=8f2d1c9a7b6e5d4c3b2a19f8e7d6c5b4",
    ]);
  });
});

describe("project rules, each proved by its fixture", () => {
  it("wordpress-asset-versions: WordPress and jQuery versions from ?ver= when the generator meta is removed", async () => {
    const { findings, snippets, find, origin } = await detect("fingerprints-wp-assets");
    expect(summary(findings)).toEqual([
      ["Contact Form 7", "5.8.4", 100],
      ["jQuery", "3.7.0", 100],
      ["MySQL", null, 80],
      ["Nginx", null, 100],
      ["PHP", null, 90],
      ["WordPress", "6.3.1", 100],
    ]);
    expect(snippets(find("WordPress"))).toContain(
      `scriptSrc ${origin}/wp-includes/js/dist/hooks.min.js?ver=6.3.1 | ${origin}/wp-includes/js/dist/hooks.min.js?ver=6.3.1`,
    );
    expect(snippets(find("WordPress"))).toContain(
      `html line 6 | <link rel="stylesheet" id="wp-block-library-css" href="${origin}/wp-includes/css/dist/block-library/style.min.css?ver=6.3.1" media="all">`,
    );
  });

  it("htmx: a self-hosted htmx and hx-* attributes", async () => {
    const { findings, snippets, find, origin } = await detect("fingerprints-htmx");
    expect(summary(findings)).toEqual([["Htmx", null, 100]]);
    expect(snippets(find("Htmx"))).toEqual([
      "dom [hx-get], [hx-post], [hx-put], [hx-patch], [hx-delete], [hx-boost] | " +
        '<input type="search" name="q" placeholder="Search contacts" hx-get="/contacts/search" hx-trigger="keyup changed delay:300ms" hx-target="#results">',
      `scriptSrc ${origin}/static/js/htmx.min.js | ${origin}/static/js/htmx.min.js`,
    ]);
  });

  it("matomo: the current Matomo tracking snippet (matomo.js loaded by an inline script)", async () => {
    const { findings, snippets, find } = await detect("fingerprints-matomo");
    expect(summary(findings)).toEqual([["Matomo Analytics", null, 100]]);
    expect(snippets(find("Matomo Analytics"))).toEqual([
      "script inline script #1 |     _paq.push(['setSiteId', '3']);",
    ]);
  });
});
