import { formatBytes, type ScanContext } from "../scan-context";
import type { SectionId } from "../sections";
import type { ReportTable } from "@techscaniq/contracts/report";

/** Tables come straight from the findings (code, not a model), so they need no claim verification. */
export function sectionTables(section: SectionId, context: ScanContext): ReportTable[] {
  const { scan } = context;
  switch (section) {
    case "technology_stack": {
      const rows = scan.technologies
        .flatMap((t) =>
          (t.categories.length ? t.categories : ["Other"]).slice(0, 1).map((category) => ({ category, t })),
        )
        .sort((a, b) => a.category.localeCompare(b.category) || a.t.name.localeCompare(b.t.name))
        .map(({ category, t }) => ({
          cells: [category, t.name, t.version ?? "not shown", `${t.confidence}%`],
          evidence: t.evidence,
        }));
      return rows.length
        ? [
            {
              caption: "Detected technologies by category",
              columns: ["Category", "Technology", "Version", "Confidence"],
              rows,
            },
          ]
        : [];
    }
    case "security_posture":
      return scan.security
        ? [
            {
              caption: `HTTP security header tests (grade ${scan.security.grade}, score ${scan.security.score}/100)`,
              columns: ["Test", "Result", "Score modifier", "Outcome"],
              rows: scan.security.tests.map((t) => ({
                cells: [t.name, t.pass ? "pass" : "fail", String(t.scoreModifier), t.result],
                evidence: t.evidence,
              })),
            },
          ]
        : [];
    case "vulnerable_components":
      return scan.vulnerabilities.length
        ? [
            {
              caption: "Known-vulnerable libraries",
              columns: ["Library", "Version", "Severity", "Identifiers"],
              rows: scan.vulnerabilities.map((v) => ({
                cells: [v.library, v.version, v.severity, v.identifiers.join(", ")],
                evidence: v.evidence,
              })),
            },
          ]
        : [];
    case "performance_third_parties":
      return scan.thirdParties.length
        ? [
            {
              caption: "Third parties",
              columns: ["Owner", "Host", "Category", "Requests", "Size"],
              rows: scan.thirdParties.map((p) => ({
                cells: [p.owner, p.host, p.category ?? "unknown", String(p.requests), formatBytes(p.bytes)],
                evidence: p.evidence,
              })),
            },
          ]
        : [];
    default:
      return [];
  }
}
