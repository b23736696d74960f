import { versionDisclosures } from "../scan-context";
import { claim, clause, HEAVY_PAGE_BYTES, type DraftClaim } from "../offline/claims";
import { performanceFindings, securityFindings, vulnerabilityFindings } from "./findings";
import type { FindingsSection } from "./section";

export const recommendations: FindingsSection<"recommendations"> = {
  id: "recommendations",
  writtenFrom: "findings",
  brief: "Concrete remediation steps that follow from the findings.",
  findings: (context) => [
    ...vulnerabilityFindings(context),
    ...securityFindings(context),
    ...performanceFindings(context),
  ],
  writeOffline(context) {
    const { scan } = context;
    const claims: DraftClaim[] = [];
    for (const v of scan.vulnerabilities)
      claims.push(
        claim(
          `Upgrade ${v.library} ${v.version} to a release that fixes ${v.identifiers.join(", ") || "its known vulnerabilities"}.`,
          v.evidence,
        ),
      );
    for (const test of scan.security?.tests.filter((t) => !t.pass) ?? [])
      claims.push(claim(`Fix the failing ${test.name} check: ${clause(test.description)}.`, test.evidence));
    for (const disclosure of versionDisclosures(context))
      claims.push(claim(`Remove version details from the ${disclosure.header} header.`, disclosure.evidence));
    const dns = scan.security?.dns;
    if (dns?.dmarc && /p=none/i.test(dns.dmarc))
      claims.push(claim("Move the DMARC policy from p=none to quarantine or reject.", dns.evidence));
    if (scan.performance.totalBytes > HEAVY_PAGE_BYTES && scan.performance.largestResources[0])
      claims.push(
        claim(
          `Reduce page weight, starting with ${scan.performance.largestResources[0].url}.`,
          scan.performance.evidence,
        ),
      );
    if (claims.length === 0)
      claims.push(claim("Keep dependencies and headers under regular automated review.", []));
    return claims;
  },
};
