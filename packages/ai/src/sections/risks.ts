import { formatBytes, versionDisclosures } from "../scan-context";
import { claim, clause, HEAVY_PAGE_BYTES, type DraftClaim } from "../offline/claims";
import { performanceFindings, securityFindings, vulnerabilityFindings } from "./findings";
import type { FindingsSection } from "./section";

export const risks: FindingsSection<"risks"> = {
  id: "risks",
  writtenFrom: "findings",
  brief: "Red flags and risks for a buyer, most severe first.",
  findings: (context) => [
    ...vulnerabilityFindings(context),
    ...securityFindings(context),
    ...performanceFindings(context),
  ],
  writeOffline(context) {
    const { scan } = context;
    const claims: DraftClaim[] = [];
    const security = scan.security;
    if (security && /^[DEF]/.test(security.grade))
      claims.push(
        claim(
          `Red flag: the HTTP security headers grade is ${security.grade} with a score of ${security.score}/100.`,
          security.tests.flatMap((t) => t.evidence),
        ),
      );
    for (const v of scan.vulnerabilities.filter((v) => v.severity === "high" || v.severity === "critical"))
      claims.push(
        claim(
          `Red flag: ${v.library} ${v.version} has ${v.severity}-severity known vulnerabilities (${v.identifiers.join(", ")}).`,
          v.evidence,
        ),
      );
    const redirect = security?.tests.find((t) => t.name === "redirection" && !t.pass);
    if (redirect) claims.push(claim(`Risk: ${clause(redirect.description)}.`, redirect.evidence));
    for (const cookie of security?.cookies ?? [])
      if (cookie.issues.some((issue) => /httponly/i.test(issue)))
        claims.push(
          claim(
            `Risk: cookie ${cookie.name} is readable by scripts because HttpOnly is missing.`,
            cookie.evidence,
          ),
        );
    if (security?.tls && security.tls.daysRemaining !== null && security.tls.daysRemaining < 30)
      claims.push(
        claim(
          `Risk: the ${security.tls.host} certificate has only ${security.tls.daysRemaining} days remaining.`,
          security.tls.evidence,
        ),
      );
    for (const disclosure of versionDisclosures(context))
      claims.push(
        claim(
          `Risk: the ${disclosure.header} header discloses "${disclosure.value}", which helps attackers pick exploits.`,
          disclosure.evidence,
        ),
      );
    if (scan.performance.totalBytes > HEAVY_PAGE_BYTES)
      claims.push(
        claim(
          `Risk: the scanned pages weigh ${formatBytes(scan.performance.totalBytes)}.`,
          scan.performance.evidence,
        ),
      );
    if (claims.length === 0)
      claims.push(
        claim(
          "The automated checks raised no red flags; a website scan does not cover code, infrastructure or the team.",
          [],
        ),
      );
    return claims;
  },
};
