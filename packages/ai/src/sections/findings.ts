import { formatBytes, inferenceBasis, THESIS_EVIDENCE_ID, type ScanContext } from "../scan-context";
import type { FindingLine } from "./section";

/** Finding lines several sections share; a section picks and orders them in its `findings`. */

export function technologyFindings({ scan }: ScanContext): FindingLine[] {
  return scan.technologies.map((t) => ({
    statement:
      `${t.name}${t.version ? ` ${t.version}` : ""} (${t.categories.join(", ")}), ` +
      `confidence ${t.confidence}%${t.inferred ? `, INFERRED (not seen): ${inferenceBasis(t)}` : ""}`,
    evidence: t.evidence,
  }));
}

export function securityFindings({ scan }: ScanContext): FindingLine[] {
  const security = scan.security;
  if (!security) return [];
  return [
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
  ];
}

export function vulnerabilityFindings({ scan }: ScanContext): FindingLine[] {
  return scan.vulnerabilities.map((v) => ({
    statement: `${v.library} ${v.version}: ${v.severity} severity, ${v.identifiers.join(", ")}${v.summary ? ` — ${v.summary}` : ""}`,
    evidence: v.evidence,
  }));
}

export function performanceFindings({ scan }: ScanContext): FindingLine[] {
  return [
    {
      statement: `Total ${scan.performance.totalRequests} requests, ${formatBytes(scan.performance.totalBytes)}`,
      evidence: scan.performance.evidence,
    },
    ...scan.thirdParties.map((p) => ({
      statement: `Third party ${p.owner} (${p.host}, ${p.category ?? "unknown"}): ${p.requests} requests, ${formatBytes(p.bytes)}`,
      evidence: p.evidence,
    })),
  ];
}

export function thesisFindings(context: ScanContext): FindingLine[] {
  return context.thesis ? [{ statement: "The investment thesis", evidence: [THESIS_EVIDENCE_ID] }] : [];
}
