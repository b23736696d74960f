import { type FixtureServer, startFixtureServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EvidenceSet, type Evidence } from "../evidence";
import { detectTechnologies, fingerprintDomProperties, fingerprintJsGlobals } from "../fingerprints";
import { SafeFetcher } from "../net";
import { renderPages } from "../render";
import type { TechnologyFinding } from "../result";
import { crawlStage, detectStage, parseScanOptions, siteContextStage } from "../scan";
import { planVersionFiles } from ".";

let server: FixtureServer;

beforeAll(async () => {
  server = await startFixtureServer({
    sites: [
      "versions-assets",
      "versions-wordpress",
      "versions-drupal",
      "versions-joomla",
      "versions-words",
      "versions-conflict",
      "versions-runtime",
      "versions-roundcube",
      "versions-dokuwiki",
    ],
  });
});
afterAll(async () => {
  await server.close();
});

const settings = parseScanOptions({
  allowPrivate: "loopback",
  render: false,
  collectTls: false,
  collectDns: false,
  crawlDelayMs: 0,
  maxPages: 5,
});

/** A static scan of a fixture site as the scan pipeline runs it: crawl, site context, detect. */
async function scanStatic(site: string) {
  const crawl = await crawlStage(server.url(site), settings);
  const context = await siteContextStage(crawl, settings);
  const detected = detectStage(crawl.pages, context.site);
  const byId = new Map(detected.evidence.map((item) => [item.id, item]));
  const find = (name: string): TechnologyFinding => {
    const finding = detected.technologies.find((technology) => technology.name === name);
    if (!finding) throw new Error(`${name} not detected: ${detected.technologies.map((t) => t.name)}`);
    return finding;
  };
  const cited = (name: string): Evidence[] => find(name).evidence.map((id) => byId.get(id)!);
  /** The evidence a finding cites that was read by the version sources. */
  const versionEvidence = (name: string) => cited(name).filter((item) => item.collector === "version");
  return { ...detected, site: context.site, find, cited, versionEvidence, origin: server.originOf(site) };
}

describe("truth: version from banners and constants in same-site JS and CSS", () => {
  it("reads library banners and version constants, citing the file and line", async () => {
    const { find, versionEvidence, origin } = await scanStatic("versions-assets");
    expect(find("jQuery").version).toBe("3.7.1");
    expect(versionEvidence("jQuery")).toContainEqual(
      expect.objectContaining({
        kind: "script",
        url: `${origin}/js/jquery.min.js`,
        locator: "line 1",
        snippet: expect.stringContaining("/*! jQuery v3.7.1 |"),
      }),
    );
    // The stylesheet's banner and the script's constant agree.
    expect(find("Bootstrap").version).toBe("5.3.2");
    expect(versionEvidence("Bootstrap")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: "css",
          url: `${origin}/css/bootstrap.min.css`,
          locator: "line 2",
          snippet: expect.stringContaining("Bootstrap  v5.3.2"),
        }),
        expect.objectContaining({
          kind: "script",
          url: `${origin}/js/bootstrap.min.js`,
          snippet: expect.stringContaining('static get VERSION(){return"5.3.2"}'),
        }),
      ]),
    );
  });

  it("gives a constant or banner to no one when no library is named exactly", async () => {
    const { technologies, evidence, find } = await scanStatic("versions-assets");
    expect(technologies.map((t) => t.version)).not.toContain("9.9.9");
    expect(technologies.map((t) => t.version)).not.toContain("2.0.1");
    expect(evidence.filter((item) => item.snippet.includes("9.9.9"))).toEqual([]);
    // "jQuery Validation Plugin - v1.19.5" is a plugin's banner, not a reading of jQuery.
    expect(find("jQuery").versions).toBeUndefined();
  });
});

describe("truth: version from asset query strings", () => {
  it("takes ?ver= of a library's own file, and not a site-wide cache-buster", async () => {
    const { find, versionEvidence, origin } = await scanStatic("versions-assets");
    expect(find("Moment.js").version).toBe("2.29.4");
    expect(versionEvidence("Moment.js")).toEqual([
      expect.objectContaining({
        kind: "scriptSrc",
        locator: `${origin}/js/moment.min.js?ver=2.29.4`,
      }),
    ]);
    // ?ver=1.0.3 also stamps the site's own app.js and site.css: a build number, not jQuery UI's version.
    expect(find("jQuery UI").version).toBeNull();
    expect(versionEvidence("jQuery UI")).toEqual([]);
  });

  it("takes a platform's ?v= on its own folder only in its version scheme", async () => {
    const { find, versionEvidence } = await scanStatic("versions-drupal");
    // Drupal 7's `?s5pa2n` on misc/drupal.js is a cache-buster; the version comes from elsewhere.
    expect(versionEvidence("Drupal").map((item) => item.kind)).not.toContain("scriptSrc");
    expect(find("Drupal").version).toBe("7.98");
  });
});

describe("truth: version from hashes of release files", () => {
  it("knows a release file byte for byte, with no banner or constant to read", async () => {
    const { find, versionEvidence, origin } = await scanStatic("versions-assets");
    // lodash.min.js states its version nowhere in plain text; its sha-256 is that of lodash 4.17.21's.
    expect(find("Lodash").version).toBe("4.17.21");
    expect(versionEvidence("Lodash")).toEqual([
      expect.objectContaining({
        url: `${origin}/js/lodash.min.js`,
        locator: "sha-256",
        snippet: expect.stringContaining("lodash/lodash.min.js@4.17.21"),
      }),
    ]);
    expect(versionEvidence("jQuery").map((item) => item.locator)).toContain("sha-256");
  });
});

describe("truth: version from hashes of platform release files", () => {
  it("knows Roundcube 1.6.5 by the sha-256 of the common.min.js its sign-in page loads", async () => {
    const { find, versionEvidence, origin } = await scanStatic("versions-roundcube");
    // The file is Debian's roundcube-core 1.6.5 build, byte for byte; the page states no version anywhere.
    expect(find("RoundCube").version).toBe("1.6.5");
    expect(versionEvidence("RoundCube")).toEqual([
      expect.objectContaining({
        kind: "script",
        url: `${origin}/program/js/common.min.js?s=1700482715`,
        locator: "sha-256",
        snippet: expect.stringMatching(
          new RegExp(
            String.raw`^sha-256 10f693f4\w+ = debian:roundcube-core=1\.6\.5\+dfsg-1\+deb12u\d+` +
              String.raw`/program/js/common\.min\.js@1\.6\.5$`,
          ),
        ),
      }),
    ]);
  });

  it("fetches a detected platform's release file at its conventional path, its version unknown", async () => {
    const { find, versionEvidence, site, origin } = await scanStatic("versions-dokuwiki");
    // The generator names DokuWiki without a release; /VERSION is Debian dokuwiki's own file.
    expect(site.versionFiles?.map((file) => [file.url, file.reader])).toEqual([
      [`${origin}/VERSION`, "platform-hash"],
    ]);
    expect(find("DokuWiki").version).toBe('2022-07-31b "Igor"');
    expect(versionEvidence("DokuWiki")).toEqual([
      expect.objectContaining({ url: `${origin}/VERSION`, locator: "sha-256" }),
    ]);
  });

  it("gives no platform a version, or a detection, by its files alone", async () => {
    const crawl = await crawlStage(server.url("versions-roundcube"), settings);
    // The same page and script without the title that shows Roundcube.
    const pages = crawl.pages.map((page) => ({
      ...page,
      html: page.html.replace(/<title>[^<]*<\/title>/, ""),
    }));
    const context = await siteContextStage({ ...crawl, pages }, settings);
    const detected = detectStage(pages, context.site);
    expect(pages[0]!.scripts.map((script) => script.url)).toContain(
      `${server.originOf("versions-roundcube")}/program/js/common.min.js?s=1700482715`,
    );
    expect(detected.technologies.map((t) => t.name)).not.toContain("RoundCube");
    expect(context.site.versionFiles).toBeUndefined();
  });

  it("plans no fetch for a platform whose version the pages show or whose files they load", async () => {
    const crawl = await crawlStage(server.url("versions-roundcube"), settings);
    const origin = server.originOf("versions-roundcube");
    expect(planVersionFiles(crawl.pages, new Map([["RoundCube", null]]), origin)).toEqual([]);
    expect(planVersionFiles(crawl.pages, new Map([["DokuWiki", "2022-07-31b"]]), origin)).toEqual([]);
    expect(planVersionFiles(crawl.pages, new Map([["DokuWiki", null]]), origin)).toEqual([
      { url: `${origin}/VERSION`, reader: "platform-hash" },
    ]);
  });
});

describe("truth: version from platform metadata files", () => {
  it("reads WordPress's feed, its theme's style.css and its plugins' readme.txt, within robots.txt", async () => {
    const { find, versionEvidence, site, origin } = await scanStatic("versions-wordpress");
    expect(site.versionFiles?.map((file) => file.url)).toEqual([
      `${origin}/feed/`,
      `${origin}/wp-content/themes/astra/style.css`,
      `${origin}/wp-content/plugins/contact-form-7/readme.txt`,
    ]);
    // The generator says 6.4; the feed says 6.4.2, which refines it.
    expect(find("WordPress").version).toBe("6.4.2");
    expect(versionEvidence("WordPress")).toContainEqual(
      expect.objectContaining({
        url: `${origin}/feed/`,
        snippet: expect.stringContaining("<generator>https://wordpress.org/?v=6.4.2</generator>"),
      }),
    );
    expect(find("Astra").version).toBe("4.5.2");
    expect(versionEvidence("Astra")).toEqual([
      expect.objectContaining({
        kind: "css",
        url: `${origin}/wp-content/themes/astra/style.css`,
        locator: "line 6",
        snippet: "Version: 4.5.2",
      }),
    ]);
    // members-only is disallowed by robots.txt: its readme (claiming 9.9.9) is never read.
    expect(find("Contact Form 7").version).toBe("5.8.4");
  });

  it("reads Drupal's CHANGELOG.txt and Joomla's files manifest", async () => {
    const drupal = await scanStatic("versions-drupal");
    expect(drupal.find("Drupal").version).toBe("7.98");
    expect(drupal.versionEvidence("Drupal")).toContainEqual(
      expect.objectContaining({ url: `${drupal.origin}/CHANGELOG.txt`, locator: "line 2" }),
    );
    const joomla = await scanStatic("versions-joomla");
    expect(joomla.find("Joomla").version).toBe("4.4.1");
    expect(joomla.versionEvidence("Joomla")).toEqual([
      expect.objectContaining({
        url: `${joomla.origin}/administrator/manifests/files/joomla.xml`,
        snippet: expect.stringContaining("<version>4.4.1</version>"),
      }),
    ]);
  });

  it("requests no metadata file when no platform is detected", async () => {
    const { site } = await scanStatic("versions-assets");
    expect(site.versionFiles).toBeUndefined();
  });
});

describe("truth: version from generator tags and footers, as written", () => {
  it("keeps DokuWiki's date and release name, from the generator tag and from a footer", async () => {
    const { find, cited, origin } = await scanStatic("versions-words");
    expect(find("DokuWiki").version).toBe('2024-02-06a "Kaos"');
    expect(cited("DokuWiki")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "meta", url: `${origin}/`, locator: 'meta[name="generator"]' }),
        expect.objectContaining({
          kind: "html",
          url: `${origin}/doku/`,
          snippet: expect.stringContaining('Release 2024-02-06a "Kaos"'),
        }),
      ]),
    );
  });
});

describe("truth: version from framework runtime objects", () => {
  it("reads a Vue 3 app root's version after render, as data", async () => {
    const fetcher = new SafeFetcher({ allowPrivate: "loopback", requestTimeoutMs: 10_000 });
    try {
      const [outcome] = await renderPages([server.url("versions-runtime")], fetcher, {
        jsGlobals: fingerprintJsGlobals(),
        domProperties: fingerprintDomProperties(),
        screenshot: false,
      });
      expect(outcome!.error).toBeNull();
      const page = outcome!.page!;
      expect(page.domProperties?.["[data-v-app]"]).toEqual({ "__vue_app__.version": "3.4.15" });
      const evidence = new EvidenceSet();
      const site = { origin: server.originOf("versions-runtime"), robotsTxt: null, tls: null, dns: null };
      const vue = detectTechnologies([page], site, evidence).find((t) => t.name === "Vue.js");
      expect(vue?.version).toBe("3.4.15");
      expect(vue!.evidence.map((id) => evidence.get(id))).toContainEqual(
        expect.objectContaining({
          kind: "dom",
          locator: "[data-v-app]",
          snippet: '__vue_app__.version = "3.4.15"',
        }),
      );
    } finally {
      await fetcher.close();
    }
  }, 120_000);
});

describe("truth: conflicting versions", () => {
  it("keeps every version with its evidence, picks the better-supported one, never adds precision", async () => {
    const { find, evidence } = await scanStatic("versions-conflict");
    const snippetsOf = (ids: string[]) => ids.map((id) => evidence.find((item) => item.id === id)!.snippet);

    // A banner in the file itself outweighs the ?ver= a theme put on its URL.
    const bootstrap = find("Bootstrap");
    expect(bootstrap.version).toBe("5.3.2");
    expect(bootstrap.versions?.map((v) => [v.version, v.sources])).toEqual([
      ["5.3.2", ["banner"]],
      ["4.6.0", ["query"]],
    ]);
    expect(snippetsOf(bootstrap.versions![1]!.evidence)[0]).toContain("bootstrap.bundle.min.js?ver=4.6.0");

    // The generator states a major version only; it stays "10", and the older ?v= is kept beside it.
    const drupal = find("Drupal");
    expect(drupal.version).toBe("10");
    expect(drupal.versions?.map((v) => v.version)).toEqual(["10", "9.5.11"]);
    expect(snippetsOf(drupal.versions![0]!.evidence).join("\n")).toContain(
      "Drupal 10 (https://www.drupal.org)",
    );
  });
});
