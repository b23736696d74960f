import type { EvidenceSet } from "../evidence";
import type { SecurityReport } from "../result";
import type { DnsInfo, PageSnapshot, SiteContext, TlsInfo } from "../types";
import { analyseCookies } from "./cookies";
import { summariseMixedContent } from "./mixed-content";
import { gradeHeaders, type HeaderGradeInput } from "./observatory";
import { gradedResponse, observatoryPage } from "./observatory-retriever";

export { analyseCsp, parseCsp, type CspAnalysis } from "./csp";
export { analyseCookies, isSessionCookie } from "./cookies";
export { collectDns, type CollectDnsOptions } from "./dns";
export { summariseMixedContent } from "./mixed-content";
export { gradeHeaders, type HeaderGrade, type HeaderGradeInput } from "./observatory";
export { gradeForScore, OBSERVATORY_SCORES } from "./observatory-scores";
export {
  OBSERVATORY_CORS_ORIGIN,
  observatoryUrls,
  retrieveForObservatory,
  type ObservatoryPorts,
  type OpenFetcher,
} from "./observatory-retriever";
export { collectTls, type CollectTlsOptions } from "./tls";

function tlsEvidence(tls: TlsInfo, evidence: EvidenceSet): string {
  const lines = [
    `${tls.protocol ?? "?"} ${tls.cipher ?? "?"}`,
    `subject: ${tls.subject ?? "?"}`,
    `issuer: ${tls.issuer ?? "?"}`,
    `valid: ${tls.validFrom ?? "?"} to ${tls.validTo ?? "?"} (${tls.daysRemaining ?? "?"} days left)`,
    `names: ${tls.subjectAltNames.join(", ")}`,
    tls.authorized ? "verified" : `not verified: ${tls.authorizationError ?? "unknown reason"}`,
  ];
  return evidence.add({
    kind: "tls",
    collector: "tls",
    url: tls.host,
    locator: "certificate",
    snippet: lines.join("\n"),
  }).id;
}

function dnsEvidence(dns: DnsInfo, evidence: EvidenceSet): string[] {
  const ids: string[] = [];
  const add = (locator: string, lines: string[]) => {
    if (lines.length)
      ids.push(
        evidence.add({ kind: "dns", collector: "dns", url: dns.host, locator, snippet: lines.join("\n") }).id,
      );
  };
  add("A/AAAA", [...dns.a.map((a) => `A ${a}`), ...dns.aaaa.map((a) => `AAAA ${a}`)]);
  add(
    "MX",
    dns.mx.map((m) => `MX ${m.priority} ${m.exchange}`),
  );
  add(
    "TXT",
    dns.txt.map((t) => `TXT "${t}"`),
  );
  add("_dmarc TXT", dns.dmarc ? [`TXT "${dns.dmarc}"`] : []);
  add(
    "CAA",
    dns.caa.map((c) => `CAA ${c.critical} ${c.tag} "${c.value}"`),
  );
  add(
    "NS",
    dns.ns.map((n) => `NS ${n}`),
  );
  add(
    "CNAME",
    dns.cname.map((c) => `CNAME ${c}`),
  );
  return ids;
}

/**
 * What the header grade reads: the Observatory's own requests when the scan
 * made them and either scheme answered, else the crawled home page.
 */
function headerGradeInput(home: PageSnapshot, site: SiteContext): HeaderGradeInput {
  const retrieval = site.observatory;
  const graded = retrieval ? gradedResponse(retrieval) : null;
  if (!retrieval || !graded) return { page: home, certificateValid: site.tls ? site.tls.authorized : null };
  return {
    page: observatoryPage(graded),
    certificateValid: retrieval.https?.verified ?? null,
    httpProbe: retrieval.http,
    // The Observatory's analyzer reads the probe's Origin back from the request object, which its
    // HTTP client (axios on Node) does not expose, so it never sees one: an origin-reflecting
    // policy with credentials is graded restricted-access there, and here.
    cors: retrieval.cors ? { ...retrieval.cors, requestOrigin: null } : null,
  };
}

/**
 * The site's security posture from its home page and site context: the
 * Observatory header grade, TLS, cookies, DNS and mixed content, each citing
 * its evidence.
 */
export function assessSecurity(home: PageSnapshot, site: SiteContext, evidence: EvidenceSet): SecurityReport {
  const grade = gradeHeaders(headerGradeInput(home, site), evidence);
  return {
    grade: grade.grade,
    score: grade.score,
    tests: grade.tests,
    tls: site.tls ? { ...site.tls, evidence: [tlsEvidence(site.tls, evidence)] } : null,
    cookies: analyseCookies([home], evidence),
    dns: site.dns ? { ...site.dns, evidence: dnsEvidence(site.dns, evidence) } : null,
    mixedContent: summariseMixedContent([home], evidence),
  };
}
