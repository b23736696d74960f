import type { RouterOutputs } from "@techscaniq/api/client";
import { HEADER_GRADE_FINDING } from "@techscaniq/contracts/scan";
import { severityRank, type Severity } from "./badges";

export type ScanView = RouterOutputs["scan"]["get"];
export type Finding = RouterOutputs["scan"]["findings"][number];
export type EvidenceItem = RouterOutputs["scan"]["evidence"]["list"]["items"][number];
export type PageView = RouterOutputs["scan"]["pages"][number];

/** The security headers grade is stored as the `grade` finding's version. */
export function gradeOf(findings: readonly Finding[]): string | null {
  return (
    findings.find(
      (finding) => finding.kind === HEADER_GRADE_FINDING.kind && finding.name === HEADER_GRADE_FINDING.name,
    )?.version ?? null
  );
}

/** What a deal team asks first: the platform, then the languages and servers under it. */
const CATEGORY_PRIORITY = [
  "CMS",
  "Ecommerce",
  "Web frameworks",
  "JavaScript frameworks",
  "Programming languages",
  "Databases",
  "Web servers",
  "CDN",
];
const priorityOf = (category: string | null) => {
  const index = category ? CATEGORY_PRIORITY.indexOf(category) : -1;
  return index === -1 ? CATEGORY_PRIORITY.length : index;
};

/** The few facts a dashboard row shows: grade, the most certain technologies, the worst vulnerability. */
export function summarise(findings: readonly Finding[]) {
  const technologies = findings
    .filter((finding) => finding.kind === "technology")
    .sort(
      (a, b) => priorityOf(a.category) - priorityOf(b.category) || (b.confidence ?? 0) - (a.confidence ?? 0),
    )
    .map((finding) => (finding.version ? `${finding.name} ${finding.version}` : finding.name));
  const vulnerabilities = findings.filter((finding) => finding.kind === "vulnerability");
  const worst = vulnerabilities
    .map((finding) => finding.severity)
    .filter((severity): severity is Severity => severity !== null)
    .sort((a, b) => severityRank[b] - severityRank[a])[0];
  return {
    grade: gradeOf(findings),
    technologies,
    vulnerabilityCount: vulnerabilities.length,
    worstSeverity: worst ?? null,
  };
}
