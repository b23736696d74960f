import { technologyNameFinder } from "../citations/technology-names";
import {
  formatBytes,
  THESIS_EVIDENCE_ID,
  versionDisclosures,
  type ScanContext,
  type ScanInput,
} from "../scan-context";
import type { SectionId } from "../sections";

/**
 * The offline analyst: writes every section from the findings by rules, each
 * sentence citing the evidence behind it and stating only facts that evidence
 * (or the finding it supports) shows. It is the report when no model is
 * configured, and the fallback when models fail.
 */

export interface DraftClaim {
  text: string;
  evidence: string[];
}

type Technology = ScanInput["technologies"][number];

const uniq = (ids: string[]) => [...new Set(ids)];
/** A claim cites at most as many items as a model's answer may (SectionAnswer), so offline claims pass the same schema on large scans. */
const MAX_CLAIM_EVIDENCE = 20;
const claim = (text: string, evidence: string[]): DraftClaim => ({
  text,
  evidence: uniq(evidence).slice(0, MAX_CLAIM_EVIDENCE),
});
/** A scanner description used inside a sentence: its own full stop would double the sentence's. */
const clause = (text: string) => text.trim().replace(/\.$/, "");
const named = (t: Technology) => (t.version ? `${t.name} ${t.version}` : t.name);
const listOf = (items: string[]) =>
  items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;

function withCategory(scan: ScanInput, categories: string[]): Technology[] {
  return scan.technologies.filter((t) => t.categories.some((c) => categories.includes(c)));
}

function technologyStack(context: ScanContext): DraftClaim[] {
  const { scan } = context;
  if (scan.technologies.length === 0)
    return [claim("No technologies were identified on the scanned pages.", [])];
  return scan.technologies.map((t) =>
    claim(
      t.version
        ? `${named(t)} was detected (${t.categories.join(", ") || "uncategorised"}).`
        : `${t.name} was detected (${t.categories.join(", ") || "uncategorised"}); its version is not shown.`,
      t.evidence,
    ),
  );
}

const LAYERS: { categories: string[]; sentence: (names: string) => string }[] = [
  { categories: ["CMS", "Blogs", "Wikis"], sentence: (n) => `Content is managed with ${n}.` },
  { categories: ["Ecommerce"], sentence: (n) => `The shop runs on ${n}.` },
  {
    categories: ["JavaScript frameworks", "Web frameworks", "Static site generator", "UI frameworks"],
    sentence: (n) => `The front end is built with ${n}.`,
  },
  { categories: ["Programming languages"], sentence: (n) => `Server-side code runs on ${n}.` },
  { categories: ["Web servers", "Reverse proxies"], sentence: (n) => `Pages are served by ${n}.` },
  { categories: ["CDN"], sentence: (n) => `Traffic is delivered through ${n} (CDN).` },
  { categories: ["PaaS", "IaaS", "Hosting"], sentence: (n) => `The site is hosted on ${n}.` },
  { categories: ["Payment processors"], sentence: (n) => `Payments are handled by ${n}.` },
];

function architecture(context: ScanContext): DraftClaim[] {
  const claims: DraftClaim[] = [];
  const used = new Set<string>();
  for (const layer of LAYERS) {
    const techs = withCategory(context.scan, layer.categories).filter((t) => !used.has(t.name));
    if (techs.length === 0) continue;
    techs.forEach((t) => used.add(t.name));
    claims.push(
      claim(
        layer.sentence(listOf(techs.map(named))),
        techs.flatMap((t) => t.evidence),
      ),
    );
  }
  if (claims.length === 0) claims.push(claim("The scan did not reveal the site's architecture layers.", []));
  claims.push(
    claim(
      "Back-end services, databases and internal infrastructure are not visible from a website scan.",
      [],
    ),
  );
  return claims;
}

function securityPosture(context: ScanContext): DraftClaim[] {
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
}

function vulnerableComponents(context: ScanContext): DraftClaim[] {
  const { vulnerabilities } = context.scan;
  if (vulnerabilities.length === 0)
    return [claim("No known-vulnerable JavaScript library was matched on the scanned pages.", [])];
  return vulnerabilities.map((v) =>
    claim(
      `${v.library} ${v.version} has ${v.severity}-severity known vulnerabilities${v.identifiers.length ? `: ${v.identifiers.join(", ")}` : ""}.`,
      v.evidence,
    ),
  );
}

function performanceAndThirdParties(context: ScanContext): DraftClaim[] {
  const { performance, thirdParties } = context.scan;
  const claims: DraftClaim[] = [
    claim(
      `The scanned pages made ${performance.totalRequests} requests and transferred ${formatBytes(performance.totalBytes)} in total.`,
      performance.evidence,
    ),
  ];
  for (const page of performance.pages) {
    if (page.loadMs !== null)
      claims.push(
        claim(
          `${page.url} finished loading in ${Math.round(page.loadMs)} ms` +
            (page.ttfbMs === null ? "." : ` with a time to first byte of ${Math.round(page.ttfbMs)} ms.`),
          performance.evidence,
        ),
      );
  }
  const largest = performance.largestResources[0];
  if (largest)
    claims.push(
      claim(
        `The largest resource is ${largest.url} (${largest.resourceType}, ${formatBytes(largest.bytes)}).`,
        performance.evidence,
      ),
    );
  for (const party of thirdParties)
    claims.push(
      claim(
        `${party.owner} (${party.host}${party.category ? `, ${party.category}` : ""}) made ${party.requests} requests totalling ${formatBytes(party.bytes)}.`,
        party.evidence,
      ),
    );
  if (thirdParties.length === 0)
    claims.push(claim("No third-party hosts were contacted by the scanned pages.", []));
  return claims;
}

const HEAVY_PAGE_BYTES = 3 * 1024 * 1024;
const SLOW_TTFB_MS = 800;

function slowestTtfb(scan: ScanInput) {
  return scan.performance.pages.filter((p) => p.ttfbMs !== null).sort((a, b) => b.ttfbMs! - a.ttfbMs!)[0];
}

function scalability(context: ScanContext): DraftClaim[] {
  const { scan } = context;
  const claims: DraftClaim[] = [];
  const cdn = withCategory(scan, ["CDN"]);
  if (cdn.length)
    claims.push(
      claim(
        `Static content is served through ${listOf(cdn.map((t) => t.name))}, which absorbs traffic spikes at the edge.`,
        cdn.flatMap((t) => t.evidence),
      ),
    );
  else claims.push(claim("No CDN was detected, so every request reaches the origin servers.", []));
  const platform = withCategory(scan, ["PaaS", "IaaS"]);
  if (platform.length)
    claims.push(
      claim(
        `Hosting on ${listOf(platform.map((t) => t.name))} lets the serving tier scale without owning servers.`,
        platform.flatMap((t) => t.evidence),
      ),
    );
  if (scan.performance.totalBytes > HEAVY_PAGE_BYTES)
    claims.push(
      claim(
        `At ${formatBytes(scan.performance.totalBytes)} the scanned pages are heavy, which raises bandwidth costs and slows mobile users as traffic grows.`,
        scan.performance.evidence,
      ),
    );
  const slow = slowestTtfb(scan);
  if (slow && slow.ttfbMs! > SLOW_TTFB_MS)
    claims.push(
      claim(
        `A time to first byte of ${Math.round(slow.ttfbMs!)} ms on ${slow.url} suggests uncached server-side work that will not scale well.`,
        scan.performance.evidence,
      ),
    );
  claims.push(
    claim(
      "Database, queueing and autoscaling design cannot be judged from outside and need a technical interview.",
      [],
    ),
  );
  return claims;
}

function risks(context: ScanContext): DraftClaim[] {
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
}

function recommendations(context: ScanContext): DraftClaim[] {
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
}

export type RequirementStatus = "met" | "not_observed" | "cannot_judge";
export interface ThesisRequirement {
  text: string;
  status: RequirementStatus;
  claim: DraftClaim;
}

const THESIS_CONCEPTS: { pattern: RegExp; categories: string[]; label: string }[] = [
  {
    pattern: /\b(cloud|scal\w*|serverless|edge|cdn)\b/i,
    categories: ["CDN", "PaaS", "IaaS"],
    label: "cloud delivery",
  },
  {
    pattern: /\b(analytics|data-driven|tracking|measurement)\b/i,
    categories: ["Analytics", "Tag managers"],
    label: "analytics",
  },
  {
    pattern: /\b(e-?commerce|checkout|payments?|shop)\b/i,
    categories: ["Ecommerce", "Payment processors"],
    label: "commerce",
  },
  {
    pattern: /\b(modern|single-page|spa|front-?end)\b/i,
    categories: ["JavaScript frameworks", "Web frameworks"],
    label: "modern front end",
  },
  { pattern: /\b(cms|content management|publishing)\b/i, categories: ["CMS"], label: "content management" },
];

/** Keyword and requirement matching of the thesis against the detected stack; honest about what a scan cannot judge. */
export function analyseThesis(context: ScanContext): ThesisRequirement[] {
  if (!context.thesis) return [];
  const { scan } = context;
  const findNames = technologyNameFinder(scan.technologies.map((t) => t.name));
  const sentences = context.thesis
    .split(/(?<=[.!?;])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const requirements: ThesisRequirement[] = [];
  for (const sentence of sentences) {
    const before = requirements.length;
    for (const name of findNames(sentence)) {
      const detected = scan.technologies.find((t) => t.name.toLowerCase() === name.toLowerCase());
      requirements.push(
        detected
          ? {
              text: sentence,
              status: "met",
              claim: claim(`The thesis mentions ${name}; the scan detected ${named(detected)}.`, [
                THESIS_EVIDENCE_ID,
                ...detected.evidence,
              ]),
            }
          : {
              text: sentence,
              status: "not_observed",
              claim: claim(
                `The thesis mentions ${name}, which the scan did not observe; a website scan cannot rule it out.`,
                [THESIS_EVIDENCE_ID],
              ),
            },
      );
    }
    if (/\bsecur/i.test(sentence) && scan.security) {
      const good = /^[AB]/.test(scan.security.grade);
      requirements.push({
        text: sentence,
        status: good ? "met" : "not_observed",
        claim: claim(
          `The thesis stresses security; the HTTP security headers grade is ${scan.security.grade} with a score of ${scan.security.score}/100.`,
          [THESIS_EVIDENCE_ID, ...scan.security.tests.flatMap((t) => t.evidence)],
        ),
      });
    }
    for (const concept of THESIS_CONCEPTS.filter((c) => c.pattern.test(sentence))) {
      const techs = withCategory(scan, concept.categories);
      requirements.push(
        techs.length
          ? {
              text: sentence,
              status: "met",
              claim: claim(`For ${concept.label}, the thesis is supported by ${listOf(techs.map(named))}.`, [
                THESIS_EVIDENCE_ID,
                ...techs.flatMap((t) => t.evidence),
              ]),
            }
          : {
              text: sentence,
              status: "not_observed",
              claim: claim(`For ${concept.label}, the scan found no supporting technology.`, []),
            },
      );
    }
    if (requirements.length === before)
      requirements.push({
        text: sentence,
        status: "cannot_judge",
        claim: claim(`A website scan cannot judge this part of the thesis: "${sentence}"`, [
          THESIS_EVIDENCE_ID,
        ]),
      });
  }
  return requirements;
}

function thesisAlignment(context: ScanContext): DraftClaim[] {
  return analyseThesis(context).map((r) => r.claim);
}

/** Offline summary: the most decision-relevant claims of the other sections, reused verbatim with their citations. */
export function summariseClaims(sections: Partial<Record<SectionId, DraftClaim[]>>): DraftClaim[] {
  const pick = (id: SectionId, count: number) =>
    (sections[id] ?? []).filter((c) => c.evidence.length > 0).slice(0, count);
  const summary = [
    ...pick("architecture", 2),
    ...pick("security_posture", 1),
    ...pick("risks", 2),
    ...pick("performance_third_parties", 1),
    ...pick("thesis_alignment", 1),
  ];
  return summary.length ? summary : [claim("The scan produced too little evidence for a summary.", [])];
}

const WRITERS: Record<Exclude<SectionId, "executive_summary">, (context: ScanContext) => DraftClaim[]> = {
  technology_stack: technologyStack,
  architecture,
  security_posture: securityPosture,
  vulnerable_components: vulnerableComponents,
  performance_third_parties: performanceAndThirdParties,
  scalability,
  risks,
  thesis_alignment: thesisAlignment,
  recommendations,
};

/** The offline analyst's claims for one section (the executive summary is summarised from the others). */
export function writeSectionOffline(section: SectionId, context: ScanContext): DraftClaim[] {
  if (section === "executive_summary") {
    const others = Object.fromEntries(Object.entries(WRITERS).map(([id, write]) => [id, write(context)]));
    return summariseClaims(others);
  }
  return WRITERS[section](context);
}
