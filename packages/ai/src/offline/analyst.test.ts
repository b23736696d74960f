import { describe, expect, it } from "vitest";
import { citationChecker } from "../citations";
import { buildScanContext } from "../scan-context";
import { planSections } from "../sections";
import { injectedSpaScan, INJECTION_TEXTS, legacyShopScan, wordpressScan } from "../testing/scans";
import { writeSectionOffline } from "./analyst";
import { scoreReport } from "./scores";

const THESIS =
  "We want a modern front end built on React with cloud hosting. Security must be strong. The shop should accept payments. The team must have deep Kubernetes skills. Revenue grows 40% a year.";

const cases = [
  ["WordPress marketing site", wordpressScan(), null],
  ["legacy shop with old jQuery", legacyShopScan(), THESIS],
  ["Next.js SPA with injected text", injectedSpaScan(), THESIS],
] as const;

describe("offline analyst", () => {
  it.each(cases)("writes every section of %s with every claim verified", (_name, scan, thesis) => {
    const context = buildScanContext({ scanId: "scan-1", tenantId: "tenant-a", scan, thesis });
    const checker = citationChecker(context);
    const sections = planSections(context);
    expect(sections.includes("thesis_alignment")).toBe(thesis !== null);
    for (const section of sections) {
      const claims = writeSectionOffline(section, context);
      expect(claims.length, section).toBeGreaterThan(0);
      for (const [index, draft] of claims.entries()) {
        const result = checker.check({ id: `${section}-${index}`, section, ...draft });
        expect(result.problems, `${section}: ${draft.text}`).toEqual([]);
      }
    }
  });

  it("states concrete findings: versions, grade, failing tests, CVEs, third parties", () => {
    const context = buildScanContext({ scanId: "s", tenantId: "t", scan: legacyShopScan(), thesis: null });
    const text = (section: Parameters<typeof writeSectionOffline>[0]) =>
      writeSectionOffline(section, context).map((c) => c.text);
    expect(text("technology_stack")).toContain("jQuery 1.8.3 was detected (JavaScript libraries).");
    expect(text("security_posture")[0]).toBe("The HTTP security headers grade is F with a score of 0/100.");
    expect(text("vulnerable_components")).toContain(
      "jquery 1.8.3 has high-severity known vulnerabilities: CVE-2020-11022, CVE-2020-11023.",
    );
    expect(text("risks")).toContain(
      'Risk: the X-Powered-By header discloses "PHP/5.3.3", which helps attackers pick exploits.',
    );
    expect(text("performance_third_parties")).toContain(
      "Facebook (connect.facebook.net, Advertising) made 3 requests totalling 60.0 KB.",
    );
  });

  it("ends a sentence built on a scanner description (which has its own full stop) with one full stop", () => {
    const scan = legacyShopScan();
    const test = scan.security!.tests.find((t) => !t.pass)!;
    test.description = `${test.description}.`;
    const context = buildScanContext({ scanId: "s", tenantId: "t", scan, thesis: null });
    const texts = [
      ...writeSectionOffline("security_posture", context),
      ...writeSectionOffline("recommendations", context),
    ].map((c) => c.text);
    expect(texts.filter((text) => text.includes(test.description.slice(0, -1)))).not.toHaveLength(0);
    for (const text of texts) expect(text).not.toMatch(/\.\.$/);
  });

  it("states a header's version disclosure once however many pages repeat it, citing every page, and scores it once", () => {
    const scan = legacyShopScan();
    const powered = scan.evidence.find((item) => item.locator === "x-powered-by")!;
    scan.evidence.push({ ...powered, id: "ev_powered_about", url: `${powered.url}about` });
    const context = buildScanContext({ scanId: "s", tenantId: "t", scan, thesis: null });
    const risks = writeSectionOffline("risks", context).filter((c) => c.text.includes("X-Powered-By"));
    expect(risks).toEqual([
      {
        text: 'Risk: the X-Powered-By header discloses "PHP/5.3.3", which helps attackers pick exploits.',
        evidence: [powered.id, "ev_powered_about"],
      },
    ]);
    expect(
      writeSectionOffline("recommendations", context).filter((c) => c.text.includes("X-Powered-By")),
    ).toHaveLength(1);
    const technology = scoreReport(context).find((s) => s.name === "technology")!;
    expect(technology.adjustments.filter((a) => a.reason.includes("X-Powered-By"))).toHaveLength(1);
  });

  it("matches the thesis against the stack and says what a scan cannot judge", () => {
    const context = buildScanContext({ scanId: "s", tenantId: "t", scan: injectedSpaScan(), thesis: THESIS });
    const claims = writeSectionOffline("thesis_alignment", context).map((c) => c.text);
    expect(claims).toContain("The thesis mentions React; the scan detected React 18.2.0.");
    expect(claims).toContain(
      "The thesis mentions Kubernetes, which the scan did not observe; a website scan cannot rule it out.",
    );
    expect(claims).toContain(
      'A website scan cannot judge this part of the thesis: "Revenue grows 40% a year."',
    );
    const thesisScore = scoreReport(context).find((s) => s.name === "thesis_alignment")!;
    expect(thesisScore.score).toBeGreaterThan(50);
  });

  it("scores by stated rules", () => {
    const legacy = scoreReport(
      buildScanContext({ scanId: "s", tenantId: "t", scan: legacyShopScan(), thesis: null }),
    );
    const spa = scoreReport(
      buildScanContext({ scanId: "s", tenantId: "t", scan: injectedSpaScan(), thesis: null }),
    );
    const by = (scores: typeof legacy, name: string) => scores.find((s) => s.name === name)!.score!;
    expect(by(legacy, "security")).toBe(0);
    expect(by(spa, "security")).toBe(100);
    expect(by(legacy, "technology")).toBe(80 - 8 - 15 - 5 - 5);
    expect(by(spa, "scalability")).toBe(75);
    expect(by(legacy, "scalability")).toBe(70 - 15 - 10 - 5);
  });

  it("never repeats injected page text in its claims", () => {
    const context = buildScanContext({ scanId: "s", tenantId: "t", scan: injectedSpaScan(), thesis: THESIS });
    const all = planSections(context)
      .flatMap((section) => writeSectionOffline(section, context))
      .map((c) => c.text)
      .join("\n");
    for (const injected of INJECTION_TEXTS) expect(all).not.toContain(injected.slice(0, 30));
    expect(all).not.toMatch(/ignore previous|api_key|best investment/i);
  });
});
