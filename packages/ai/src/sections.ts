import { SECTION_IDS, type SectionId } from "@techscaniq/contracts/report";
import { formatBytes, THESIS_EVIDENCE_ID, type ScanContext } from "./scan-context";

export { SECTION_IDS, SECTION_TITLES, SectionId } from "@techscaniq/contracts/report";

export const SECTION_BRIEFS: Record<SectionId, string> = {
  executive_summary:
    "A short summary for an investment committee of the most decision-relevant verified findings.",
  technology_stack:
    "Each detected technology with its version (or say the version is not shown) and category.",
  architecture:
    "How the site is built and delivered: CMS or framework, server-side language, web server, CDN, hosting, payments. Say what cannot be seen from outside.",
  security_posture:
    "The HTTP security header grade and failing tests, TLS and certificate, cookie flags, DNS mail records (MX, SPF, DMARC), mixed content.",
  vulnerable_components: "Known-vulnerable libraries with versions, severities and CVE/advisory ids.",
  performance_third_parties:
    "Page weight, request counts, load timings, largest resources and third-party hosts.",
  scalability:
    "What the evidence says about scaling: CDN, hosting platform, page weight, server response times; say what needs an interview.",
  risks: "Red flags and risks for a buyer, most severe first.",
  thesis_alignment:
    "How the detected stack supports or contradicts each requirement of the investment thesis; be explicit about what a website scan cannot judge.",
  recommendations: "Concrete remediation steps that follow from the findings.",
};

/** Sections for this report: thesis alignment only when there is a thesis. */
export function planSections(context: Pick<ScanContext, "thesis">): SectionId[] {
  return SECTION_IDS.filter((id) => id !== "thesis_alignment" || context.thesis !== null);
}

export interface FindingLine {
  statement: string;
  evidence: string[];
}

/** The findings a section is about, most important first. */
export function sectionFindings(section: SectionId, context: ScanContext): FindingLine[] {
  const { scan } = context;
  const tech = scan.technologies.map((t) => ({
    statement: `${t.name}${t.version ? ` ${t.version}` : ""} (${t.categories.join(", ")}), confidence ${t.confidence}%`,
    evidence: t.evidence,
  }));
  const security = scan.security;
  const securityLines: FindingLine[] = security
    ? [
        {
          statement: `Header grade ${security.grade}, score ${security.score}/100`,
          evidence: security.tests.flatMap((t) => t.evidence),
        },
        ...security.tests
          .slice()
          .sort((a, b) => Number(a.pass) - Number(b.pass))
          .map((t) => ({
            statement: `Test ${t.name}: ${t.pass ? "pass" : "FAIL"} (${t.result}, ${t.scoreModifier}) ${t.description}`,
            evidence: t.evidence,
          })),
        ...(security.tls
          ? [
              {
                statement: `TLS ${security.tls.protocol}, issuer ${security.tls.issuer}, ${security.tls.daysRemaining} days remaining, trusted ${security.tls.authorized}`,
                evidence: security.tls.evidence,
              },
            ]
          : []),
        ...security.cookies.map((c) => ({
          statement: `Cookie ${c.name}: ${c.issues.join(", ") || "no issues"}`,
          evidence: c.evidence,
        })),
        ...(security.dns
          ? [
              {
                statement: `DNS ${security.dns.host}: SPF ${security.dns.spf ?? "none"}, DMARC ${security.dns.dmarc ?? "none"}, MX ${security.dns.mx.map((m) => m.exchange).join(", ")}`,
                evidence: security.dns.evidence,
              },
            ]
          : []),
        ...security.mixedContent.map((m) => ({ statement: `Mixed content ${m.url}`, evidence: m.evidence })),
      ]
    : [];
  const vulns = scan.vulnerabilities.map((v) => ({
    statement: `${v.library} ${v.version}: ${v.severity} severity, ${v.identifiers.join(", ")}${v.summary ? ` — ${v.summary}` : ""}`,
    evidence: v.evidence,
  }));
  const perf: FindingLine[] = [
    {
      statement: `Total ${scan.performance.totalRequests} requests, ${formatBytes(scan.performance.totalBytes)}`,
      evidence: scan.performance.evidence,
    },
    ...scan.thirdParties.map((p) => ({
      statement: `Third party ${p.owner} (${p.host}, ${p.category ?? "unknown"}): ${p.requests} requests, ${formatBytes(p.bytes)}`,
      evidence: p.evidence,
    })),
  ];
  const thesis: FindingLine[] = context.thesis
    ? [{ statement: "The investment thesis", evidence: [THESIS_EVIDENCE_ID] }]
    : [];
  switch (section) {
    case "technology_stack":
    case "architecture":
      return tech;
    case "security_posture":
      return securityLines;
    case "vulnerable_components":
      return vulns;
    case "performance_third_parties":
      return perf;
    case "scalability":
      return [...tech, ...perf];
    case "risks":
    case "recommendations":
      return [...vulns, ...securityLines, ...perf];
    case "thesis_alignment":
      return [...thesis, ...tech, ...securityLines.slice(0, 1)];
    case "executive_summary":
      return [...vulns, ...securityLines.slice(0, 1), ...tech, ...perf.slice(0, 1), ...thesis];
  }
}
