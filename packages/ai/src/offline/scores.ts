import type { z } from "zod";
import type { Score, ScoreAdjustment } from "@techscaniq/contracts/report";
import { analyseThesis } from "./thesis";
import { versionDisclosures, type ScanContext } from "../scan-context";

export { Score, ScoreAdjustment } from "@techscaniq/contracts/report";
type Adjustment = z.infer<typeof ScoreAdjustment>;

const clamp = (value: number) => Math.max(0, Math.min(100, Math.round(value)));
const SEVERITY_POINTS = { critical: 20, high: 15, medium: 8, low: 3 } as const;

function score(name: Score["name"], base: number, rule: string, adjustments: Adjustment[]): Score {
  return {
    name,
    score: clamp(base + adjustments.reduce((sum, a) => sum + a.points, 0)),
    base,
    rule,
    adjustments,
  };
}

export function technologyScore(context: ScanContext): Score {
  const { scan } = context;
  const adjustments: Adjustment[] = [];
  let vulnerabilityPenalty = 0;
  for (const v of scan.vulnerabilities) {
    const points = Math.min(SEVERITY_POINTS[v.severity], 60 - vulnerabilityPenalty);
    if (points <= 0) break;
    vulnerabilityPenalty += points;
    adjustments.push({
      reason: `${v.library} ${v.version} has ${v.severity}-severity known vulnerabilities`,
      points: -points,
      evidence: v.evidence,
    });
  }
  for (const disclosure of versionDisclosures(context).slice(0, 2))
    adjustments.push({
      reason: `the ${disclosure.header} header discloses a version`,
      points: -5,
      evidence: disclosure.evidence,
    });
  const cdn = scan.technologies.filter((t) => t.categories.includes("CDN"));
  if (cdn.length)
    adjustments.push({
      reason: `a CDN (${cdn.map((t) => t.name).join(", ")}) is in use`,
      points: 5,
      evidence: cdn.flatMap((t) => t.evidence),
    });
  return score(
    "technology",
    80,
    "80, minus 20/15/8/3 per critical/high/medium/low vulnerable library (at most 60), minus 5 per version-disclosing header (at most 2), plus 5 for a CDN",
    adjustments,
  );
}

export function securityScore(context: ScanContext): Score {
  const { scan } = context;
  const security = scan.security;
  const base = security ? Math.min(100, Math.max(0, security.score)) : 50;
  const adjustments: Adjustment[] = [];
  for (const v of scan.vulnerabilities) {
    if (v.severity === "critical" || v.severity === "high")
      adjustments.push({
        reason: `${v.severity}-severity vulnerabilities in ${v.library} ${v.version}`,
        points: -10,
        evidence: v.evidence,
      });
    else if (v.severity === "medium")
      adjustments.push({
        reason: `medium-severity vulnerabilities in ${v.library} ${v.version}`,
        points: -5,
        evidence: v.evidence,
      });
  }
  if (!security?.tls && scan.finalUrl.startsWith("http:"))
    adjustments.push({ reason: "the site is served over plain HTTP", points: -20, evidence: [] });
  const tls = security?.tls;
  if (tls && (!tls.authorized || (tls.daysRemaining !== null && tls.daysRemaining < 14)))
    adjustments.push({
      reason: "the TLS certificate is untrusted or about to expire",
      points: -10,
      evidence: tls.evidence,
    });
  return score(
    "security",
    base,
    "the Observatory header score (0–100; 50 when not measured), minus 10 per high/critical and 5 per medium vulnerable library, minus 20 for plain HTTP, minus 10 for an untrusted or expiring certificate",
    adjustments,
  );
}

export function scalabilityScore(context: ScanContext): Score {
  const { scan } = context;
  const adjustments: Adjustment[] = [];
  const cdn = scan.technologies.filter((t) => t.categories.includes("CDN"));
  if (cdn.length)
    adjustments.push({
      reason: "a CDN serves static content",
      points: 10,
      evidence: cdn.flatMap((t) => t.evidence),
    });
  const platform = scan.technologies.filter((t) => t.categories.some((c) => c === "PaaS" || c === "IaaS"));
  if (platform.length)
    adjustments.push({
      reason: "a cloud platform hosts the site",
      points: 5,
      evidence: platform.flatMap((t) => t.evidence),
    });
  const mb = scan.performance.totalBytes / (1024 * 1024);
  if (mb > 3)
    adjustments.push({ reason: "pages weigh over 3 MB", points: -15, evidence: scan.performance.evidence });
  else if (mb > 1.5)
    adjustments.push({ reason: "pages weigh over 1.5 MB", points: -5, evidence: scan.performance.evidence });
  const slowest = Math.max(0, ...scan.performance.pages.map((p) => p.ttfbMs ?? 0));
  if (slowest > 800)
    adjustments.push({
      reason: "a time to first byte over 800 ms",
      points: -10,
      evidence: scan.performance.evidence,
    });
  if (scan.performance.totalRequests > 100)
    adjustments.push({ reason: "over 100 requests", points: -5, evidence: scan.performance.evidence });
  return score(
    "scalability",
    70,
    "70, plus 10 for a CDN and 5 for a cloud platform, minus 15 over 3 MB (5 over 1.5 MB), 10 for a TTFB over 800 ms and 5 for over 100 requests",
    adjustments,
  );
}

export function thesisScore(context: ScanContext): Score {
  const requirements = analyseThesis(context);
  const judged = requirements.filter((r) => r.status !== "cannot_judge");
  const met = judged.filter((r) => r.status === "met");
  return {
    name: "thesis_alignment",
    score: judged.length ? clamp((100 * met.length) / judged.length) : null,
    base: 0,
    rule: "share of the thesis requirements a website scan can judge that the evidence supports; requirements it cannot judge are left out",
    adjustments: requirements.map((r) => ({
      reason: `${r.status.replace("_", " ")}: ${r.text}`,
      points: 0,
      evidence: r.claim.evidence,
    })),
  };
}

/** The rule-based scores for a report; thesis alignment only with a thesis. */
export function scoreReport(context: ScanContext): Score[] {
  const scores = [technologyScore(context), securityScore(context), scalabilityScore(context)];
  if (context.thesis) scores.push(thesisScore(context));
  return scores;
}
