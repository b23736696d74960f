import type { ScanInput } from "../scan-context";

/** One sentence of the offline analyst (or a model's draft), citing the evidence ids that show it. */
export interface DraftClaim {
  text: string;
  evidence: string[];
}

export type Technology = ScanInput["technologies"][number];

/**
 * A claim cites at most as many items as a model's answer may (SectionAnswer), so offline claims pass the
 * same schema on large scans.
 */
const MAX_CLAIM_EVIDENCE = 20;

/** Pages heavier than this are a scaling cost, a risk and a recommendation. */
export const HEAVY_PAGE_BYTES = 3 * 1024 * 1024;

export const claim = (text: string, evidence: string[]): DraftClaim => ({
  text,
  evidence: [...new Set(evidence)].slice(0, MAX_CLAIM_EVIDENCE),
});
/** A scanner description used inside a sentence: its own full stop would double the sentence's. */
export const clause = (text: string) => text.trim().replace(/\.$/, "");
/** A technology as a sentence names it; an inferred one says so wherever it is used. */
export const named = (t: Technology) =>
  `${t.version ? `${t.name} ${t.version}` : t.name}${t.inferred ? " (inferred)" : ""}`;
export const listOf = (items: string[]) =>
  items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;

export function withCategory(scan: ScanInput, categories: string[]): Technology[] {
  return scan.technologies.filter((t) => t.categories.some((c) => categories.includes(c)));
}
