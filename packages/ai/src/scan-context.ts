import { ScanResultInput, type EvidenceItem, type ScanInput } from "@techscaniq/contracts/scan";
import type { ScanResult } from "@techscaniq/scanner";
import { z } from "zod";

/**
 * The report's input: the scanner's `ScanResult` (validated here, since it
 * arrives as stored JSON) plus an optional thesis, indexed for citation checks.
 */

export { ScanResultInput, type EvidenceItem, type ScanInput } from "@techscaniq/contracts/scan";

// The scanner's own type must stay acceptable as input; this line fails to compile if it drifts.
export const acceptsScanResult: (scan: ScanResult) => ScanInput = (scan) => scan;

export const ReportInput = z.object({
  scanId: z.string().min(1),
  tenantId: z.string().min(1),
  scan: ScanResultInput,
  thesis: z.string().trim().min(1).max(10_000).nullable().default(null),
});
export type ReportInput = z.input<typeof ReportInput>;

/** The thesis is citable like evidence, so thesis-alignment claims can quote it. */
export const THESIS_EVIDENCE_ID = "thesis";

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Fact kinds only a collector's typed output can back, never free text: a page cannot talk its way in. */
export type AttestedKind = "technology" | "version" | "grade" | "cve" | "advisory" | "severity";

export interface ScanContext {
  scanId: string;
  tenantId: string;
  scan: ScanInput;
  thesis: string | null;
  /** This scan's evidence (and the thesis, when given) by id. */
  evidence: Map<string, EvidenceItem>;
  /** The findings each evidence item supports, as plain statements; a claim's facts may come from these. */
  findingsByEvidence: Map<string, string[]>;
  /**
   * Typed values each evidence item backs, from the collector that produced them: technology names and
   * versions from fingerprints, the grade from the grader, CVEs and severities from the vulnerability
   * database, the TLS protocol from the handshake.
   */
  attestedByEvidence: Map<string, Partial<Record<AttestedKind, string[]>>>;
}

type Scan = ScanInput;
type Security = NonNullable<Scan["security"]>;

/** Why an inferred technology follows from what was seen: "WordPress is written in PHP …; Laravel …". */
export function inferenceBasis(t: Scan["technologies"][number]): string {
  return (t.inferredFrom ?? []).map((from) => `${from.technology} ${from.basis}`).join("; ");
}

export function describeTechnology(t: Scan["technologies"][number]): string {
  const inferred = t.inferred ? ` INFERRED, not seen: ${inferenceBasis(t)}.` : "";
  return `Technology ${t.name}${t.version ? ` version ${t.version}` : " (version not shown)"}; categories: ${t.categories.join(", ") || "none"}; confidence ${t.confidence}%.${inferred}`;
}
export function describeSecurityTest(t: Security["tests"][number]): string {
  return `Security test ${t.name}: ${t.pass ? "passes" : "fails"} (${t.result}), score modifier ${t.scoreModifier}. ${t.description}`;
}
export function describeGrade(s: Security): string {
  return `HTTP security headers grade ${s.grade} with score ${s.score}/100.`;
}
export function describeTls(tls: NonNullable<Security["tls"]>): string {
  return [
    `TLS for ${tls.host}: protocol ${tls.protocol ?? "unknown"}, cipher ${tls.cipher ?? "unknown"};`,
    `certificate issued by ${tls.issuer ?? "unknown"} to ${tls.subject ?? "unknown"}, names ${tls.subjectAltNames.join(", ") || "none"};`,
    `valid from ${tls.validFrom ?? "unknown"} to ${tls.validTo ?? "unknown"}${tls.daysRemaining === null ? "" : `, ${tls.daysRemaining} days remaining`};`,
    tls.authorized
      ? "trusted by the system's CA store."
      : `not trusted: ${tls.authorizationError ?? "unknown reason"}.`,
  ].join(" ");
}
export function describeCookie(c: Security["cookies"][number]): string {
  return `Cookie ${c.name}: Secure ${c.secure ? "set" : "missing"}, HttpOnly ${c.httpOnly ? "set" : "missing"}, SameSite ${c.sameSite ?? "not set"}; issues: ${c.issues.join(", ") || "none"}.`;
}
export function describeDns(d: NonNullable<Security["dns"]>): string {
  return [
    `DNS for ${d.host}: MX ${d.mx.map((m) => m.exchange).join(", ") || "none"};`,
    `SPF ${d.spf ?? "none"}; DMARC ${d.dmarc ?? "none"};`,
    `CAA ${d.caa.map((c) => `${c.tag} ${c.value}`).join(", ") || "none"}; NS ${d.ns.join(", ") || "none"}.`,
  ].join(" ");
}
export function describeVulnerability(v: Scan["vulnerabilities"][number]): string {
  return `Vulnerable library ${v.library} ${v.version}, ${v.severity} severity, identifiers ${v.identifiers.join(", ") || "none"}${v.summary ? `: ${v.summary}` : "."}`;
}
export function describeThirdParty(p: Scan["thirdParties"][number]): string {
  return `Third party ${p.owner} (${p.host}), category ${p.category ?? "unknown"}, ${p.requests} requests, ${p.bytes} bytes (${formatBytes(p.bytes)}).`;
}
export function describePerformance(p: Scan["performance"]): string {
  const pages = p.pages.map(
    (page) =>
      `${page.url}: ${page.bytes} bytes (${formatBytes(page.bytes)}), ${page.requests} requests` +
      (page.ttfbMs === null ? "" : `, TTFB ${Math.round(page.ttfbMs)} ms`) +
      (page.domContentLoadedMs === null
        ? ""
        : `, DOMContentLoaded ${Math.round(page.domContentLoadedMs)} ms`) +
      (page.loadMs === null ? "" : `, load ${Math.round(page.loadMs)} ms`),
  );
  const largest = p.largestResources.map(
    (r) => `${r.url} (${r.resourceType}, ${r.bytes} bytes, ${formatBytes(r.bytes)})`,
  );
  return [
    `Performance: ${p.totalRequests} requests and ${p.totalBytes} bytes (${formatBytes(p.totalBytes)}) in total.`,
    pages.length ? `Pages: ${pages.join("; ")}.` : "",
    largest.length ? `Largest resources: ${largest.join("; ")}.` : "",
  ]
    .filter(Boolean)
    .join(" ");
}

const DISCLOSING_HEADERS = [
  "server",
  "x-powered-by",
  "x-aspnet-version",
  "x-aspnetmvc-version",
  "x-generator",
];
/**
 * The product and version at the start of a header value ("Apache/2.2.15", "PHP/8.1.27", "4.0.30319"): only
 * that token, so words planted after it ("nginx/1.22.1 — this site actually runs …") are never quoted.
 */
const DISCLOSED_VERSION =
  /^(?:[A-Za-z][\w.+-]{0,30}[/ ])?v?\d+(?:\.\d+)+(?:[-+][A-Za-z0-9.]{1,20})?(?![\w.+-])/;

export interface VersionDisclosure {
  header: string;
  value: string;
  evidence: string[];
}

/** Response headers that reveal a product version, one per header and value (every page repeats them). */
export function versionDisclosures(context: Pick<ScanContext, "evidence">): VersionDisclosure[] {
  const found = new Map<string, VersionDisclosure>();
  for (const item of context.evidence.values()) {
    if (item.kind !== "header" || !DISCLOSING_HEADERS.includes(item.locator.toLowerCase())) continue;
    const value = DISCLOSED_VERSION.exec(item.snippet.slice(item.snippet.indexOf(":") + 1).trim())?.[0];
    if (!value) continue;
    const header = item.locator
      .toLowerCase()
      .split("-")
      .map((part) => (part === "aspnet" ? "AspNet" : part.charAt(0).toUpperCase() + part.slice(1)))
      .join("-");
    const key = `${header}\n${value}`;
    const disclosure = found.get(key) ?? { header, value, evidence: [] };
    disclosure.evidence.push(item.id);
    found.set(key, disclosure);
  }
  return [...found.values()];
}

/** "TLSv1.3" → "1.3": the form a claim's protocol version takes. */
function protocolVersion(protocol: string | null): string | null {
  return /(\d+(?:\.\d+)?)\s*$/.exec(protocol ?? "")?.[1] ?? null;
}

export function buildScanContext(input: ReportInput): ScanContext {
  const parsed = ReportInput.parse(input);
  const { scan, thesis } = parsed;
  const evidence = new Map(scan.evidence.map((item) => [item.id, item]));
  if (thesis)
    evidence.set(THESIS_EVIDENCE_ID, {
      id: THESIS_EVIDENCE_ID,
      kind: "thesis",
      collector: "user",
      url: "",
      locator: "investment thesis",
      snippet: thesis,
      contentHash: "",
    });
  const findingsByEvidence = new Map<string, string[]>();
  const supports = (evidenceIds: string[], statement: string) => {
    for (const id of evidenceIds)
      findingsByEvidence.set(id, [...(findingsByEvidence.get(id) ?? []), statement]);
  };
  const attestedByEvidence = new Map<string, Partial<Record<AttestedKind, string[]>>>();
  const attests = (evidenceIds: string[], kind: AttestedKind, value: string | null) => {
    if (!value) return;
    for (const id of evidenceIds) {
      const attested = attestedByEvidence.get(id) ?? {};
      (attested[kind] ??= []).push(value);
      attestedByEvidence.set(id, attested);
    }
  };
  for (const t of scan.technologies) {
    supports(t.evidence, describeTechnology(t));
    attests(t.evidence, "technology", t.name);
    attests(t.evidence, "version", t.version);
  }
  if (scan.security) {
    const security = scan.security;
    for (const t of security.tests) supports(t.evidence, describeSecurityTest(t));
    // The grade is derived from all the tests, so every test's evidence supports it.
    const testEvidence = [...new Set(security.tests.flatMap((t) => t.evidence))];
    supports(testEvidence, describeGrade(security));
    attests(testEvidence, "grade", `grade ${security.grade}`);
    if (security.tls) {
      supports(security.tls.evidence, describeTls(security.tls));
      attests(security.tls.evidence, "version", protocolVersion(security.tls.protocol));
      // The certificate authority is a named product ("Let's Encrypt"), read from the certificate itself.
      attests(security.tls.evidence, "technology", security.tls.issuer);
    }
    for (const c of security.cookies) supports(c.evidence, describeCookie(c));
    if (security.dns) supports(security.dns.evidence, describeDns(security.dns));
    for (const m of security.mixedContent)
      supports(m.evidence, `Mixed content: ${m.url} is loaded over plain HTTP by an HTTPS page.`);
  }
  for (const v of scan.vulnerabilities) {
    supports(v.evidence, describeVulnerability(v));
    attests(v.evidence, "technology", v.library);
    attests(v.evidence, "version", v.version);
    attests(v.evidence, "severity", v.severity);
    for (const id of v.identifiers) attests(v.evidence, /^CVE-/i.test(id) ? "cve" : "advisory", id);
  }
  for (const p of scan.thirdParties) {
    supports(p.evidence, describeThirdParty(p));
    attests(p.evidence, "technology", p.owner);
  }
  supports(scan.performance.evidence, describePerformance(scan.performance));
  for (const d of versionDisclosures({ evidence }))
    supports(d.evidence, `Response header ${d.header} discloses "${d.value}".`);
  const { scanId, tenantId } = parsed;
  return { scanId, tenantId, scan, thesis, evidence, findingsByEvidence, attestedByEvidence };
}
