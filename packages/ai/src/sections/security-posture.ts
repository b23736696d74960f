import { claim, clause, listOf, type DraftClaim } from "../offline/claims";
import { securityFindings } from "./findings";
import type { FindingsSection } from "./section";

export const securityPosture: FindingsSection<"security_posture"> = {
  id: "security_posture",
  writtenFrom: "findings",
  brief:
    "The HTTP security header grade and failing tests, TLS and certificate, cookie flags, DNS mail records (MX, SPF, DMARC), mixed content.",
  findings: securityFindings,
  tables: ({ scan }) =>
    scan.security
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
      : [],
  writeOffline(context) {
    const security = context.scan.security;
    if (!security) return [claim("The security checks did not run for this scan.", [])];
    const claims: DraftClaim[] = [];
    const testEvidence = security.tests.flatMap((t) => t.evidence);
    claims.push(
      claim(
        `The HTTP security headers grade is ${security.grade} with a score of ${security.score}/100.`,
        testEvidence,
      ),
    );
    for (const test of security.tests.filter((t) => !t.pass))
      claims.push(
        claim(`The ${test.name} check fails (${test.result}): ${clause(test.description)}.`, test.evidence),
      );
    const passing = security.tests.filter((t) => t.pass);
    if (passing.length)
      claims.push(
        claim(
          `These checks pass: ${listOf(passing.map((t) => t.name))}.`,
          passing.flatMap((t) => t.evidence),
        ),
      );
    const tls = security.tls;
    if (tls) {
      claims.push(
        claim(
          `The ${tls.host} certificate is issued by ${tls.issuer ?? "an unknown issuer"} and negotiated ${tls.protocol ?? "an unknown protocol"}` +
            (tls.daysRemaining === null ? "." : `; it has ${tls.daysRemaining} days remaining.`),
          tls.evidence,
        ),
      );
      if (!tls.authorized)
        claims.push(
          claim(
            `The ${tls.host} certificate is not trusted: ${tls.authorizationError ?? "unknown reason"}.`,
            tls.evidence,
          ),
        );
    } else if (context.scan.finalUrl.startsWith("http:")) {
      claims.push(claim("The site was reached over plain HTTP, so no TLS certificate was observed.", []));
    }
    for (const cookie of security.cookies.filter((c) => c.issues.length))
      claims.push(
        claim(`Cookie ${cookie.name} has these issues: ${cookie.issues.join(", ")}.`, cookie.evidence),
      );
    const dns = security.dns;
    if (dns) {
      if (dns.mx.length)
        claims.push(
          claim(`Mail for ${dns.host} is handled by ${listOf(dns.mx.map((m) => m.exchange))}.`, dns.evidence),
        );
      claims.push(
        claim(
          dns.spf ? `The SPF record is "${dns.spf}".` : `No SPF record was found for ${dns.host}.`,
          dns.evidence,
        ),
      );
      claims.push(
        claim(
          dns.dmarc ? `The DMARC record is "${dns.dmarc}".` : `No DMARC record was found for ${dns.host}.`,
          dns.evidence,
        ),
      );
    }
    for (const mixed of security.mixedContent)
      claims.push(claim(`Mixed content: ${mixed.url} is loaded over plain HTTP.`, mixed.evidence));
    return claims;
  },
};
