import { technologyNameFinder } from "../citations/technology-names";
import { THESIS_EVIDENCE_ID, type ScanContext } from "../scan-context";
import { claim, listOf, named, withCategory, type DraftClaim } from "./claims";

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
