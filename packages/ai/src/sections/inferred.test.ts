import { EvidenceSet, type ScanResult } from "@techscaniq/scanner";
import { detectTechnologies, snapshotFromHtml } from "@techscaniq/scanner/fingerprints";
import { describe, expect, it } from "vitest";
import { citationChecker } from "../citations";
import { writeSectionOffline } from "../offline/analyst";
import { buildScanContext } from "../scan-context";
import { planSections } from "../sections";
import { wordpressScan } from "../testing/scans";
import { technologyFindings } from "./findings";
import { technologyStack } from "./technology-stack";

/** The WordPress site with its technologies as the real detector reports them, inferred layers included. */
function scanWithInferences(): ScanResult {
  const base = wordpressScan();
  const evidence = new EvidenceSet();
  const page = snapshotFromHtml({
    url: base.finalUrl,
    html: '<!doctype html><html><head><meta name="generator" content="WordPress 6.4.2"></head></html>',
    headers: { server: ["nginx/1.22.1"], "x-powered-by": ["PHP/8.2.7-1~deb12u1"] },
  });
  const site = { origin: base.finalUrl, robotsTxt: null, tls: null, dns: null };
  const technologies = detectTechnologies([page], site, evidence);
  return { ...base, technologies, evidence: [...base.evidence, ...evidence.list()] };
}

describe("truth: the report marks inferred items", () => {
  const scan = scanWithInferences();
  const context = buildScanContext({ scanId: "s", tenantId: "t", scan, thesis: null });
  const inferredNames = scan.technologies.filter((t) => t.inferred).map((t) => t.name);

  it("the detector inferred the database and the distribution, and saw the rest", () => {
    expect(inferredNames.sort()).toEqual(["Debian", "MySQL"]);
  });

  it("the offline analyst says 'inferred' in every sentence using one; every sentence verifies", () => {
    const checker = citationChecker(context);
    const texts: string[] = [];
    for (const section of planSections(context)) {
      for (const [index, draft] of writeSectionOffline(section, context).entries()) {
        expect(checker.check({ id: `${section}-${index}`, section, ...draft }).problems, draft.text).toEqual(
          [],
        );
        texts.push(draft.text);
      }
    }
    const using = texts.filter((text) => inferredNames.some((name) => text.includes(name)));
    expect(using.length).toBeGreaterThanOrEqual(3);
    for (const text of using) expect(text).toContain("inferred");
    expect(texts).toContain(
      "Debian 12 (inferred) was not seen but follows from what was: PHP is a Debian package build " +
        "(the version suffix debNuM is Debian's stable-update numbering).",
    );
    expect(texts).toContain("Data is kept in MySQL (inferred).");
  });

  it("the table and the model's data mark them too", () => {
    const cells = technologyStack.tables!(context).flatMap((table) => table.rows.map((row) => row.cells[1]));
    expect(cells).toEqual(expect.arrayContaining(["MySQL (inferred)", "Debian (inferred)", "WordPress"]));
    const lines = technologyFindings(context).filter((line) =>
      inferredNames.some((name) => line.statement.startsWith(name)),
    );
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.statement).toContain("INFERRED (not seen): ");
    const mysql = scan.technologies.find((t) => t.name === "MySQL")!;
    expect(context.findingsByEvidence.get(mysql.evidence[0]!)!.join(" ")).toContain(
      "INFERRED, not seen: WordPress works only with a MySQL-family database server.",
    );
  });
});
