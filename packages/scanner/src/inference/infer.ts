import type { EvidenceSet } from "../evidence";
import type { CompiledTechnology, FingerprintDatabase } from "../fingerprints/compile";
import { bestVersion, type VersionCandidate } from "../fingerprints/versions";
import type { TechnologyFinding } from "../result";
import {
  DISTRIBUTION_CONVENTIONS,
  LAYER_INFERENCES,
  OUTDATED_IMPLICATIONS,
  RULE_SET_INFERENCE_CONFIDENCE,
  type LayerInference,
} from "./layers";

/** The fingerprint database's category of distributions and other operating systems. */
const OPERATING_SYSTEMS = "Operating systems";

interface InferredLayer {
  technology: CompiledTechnology;
  confidence: number;
  evidence: Set<string>;
  inferredFrom: { technology: string; basis: string }[];
  versions: VersionCandidate[];
}

interface Implication {
  implies: string;
  basis: string;
  confidence: number;
  evidence: string[];
  version?: string;
}

const rowsByFrom = new Map<string, LayerInference[]>();
for (const row of LAYER_INFERENCES) rowsByFrom.set(row.from, [...(rowsByFrom.get(row.from) ?? []), row]);

/** Whether the rule set's "`source` implies `implied`" no longer holds for the version seen. */
function isOutdated(source: TechnologyFinding, implied: string): boolean {
  const major = Number.parseInt(source.version ?? "", 10);
  return OUTDATED_IMPLICATIONS.some(
    (row) => row.from === source.name && row.implies === implied && major >= row.sinceMajor,
  );
}

/** What one visible technology implies: the rule set's `implies` (basis from our table if any), our rows. */
function implicationsOf(source: TechnologyFinding, db: FingerprintDatabase): Implication[] {
  const rows = rowsByFrom.get(source.name) ?? [];
  const stated = (db.technologies.get(source.name)?.implies ?? []).filter(
    (implied) => !isOutdated(source, implied.name),
  );
  const fromRuleSet = stated.map((implied): Implication => {
    const row = rows.find((candidate) => candidate.implies === implied.name);
    return {
      implies: implied.name,
      basis: row?.basis ?? `implies ${implied.name} in the fingerprint rule set`,
      confidence: Math.min(implied.confidence, row?.confidence ?? RULE_SET_INFERENCE_CONFIDENCE),
      evidence: source.evidence,
      ...(implied.version ? { version: implied.version } : {}),
    };
  });
  const ownRows = rows
    .filter((row) => !fromRuleSet.some((implication) => implication.implies === row.implies))
    .map((row): Implication => ({ ...row, evidence: source.evidence }));
  return [...fromRuleSet, ...ownRows];
}

/** Distributions named by package version suffixes in the headers this technology was seen in. */
function distributionsOf(source: TechnologyFinding, evidence: EvidenceSet): Implication[] {
  const found: Implication[] = [];
  for (const id of source.evidence) {
    const item = evidence.get(id);
    if (item?.kind !== "header") continue;
    const value = item.snippet.slice(item.snippet.indexOf(":") + 1);
    for (const convention of DISTRIBUTION_CONVENTIONS) {
      if (!convention.headers.includes(item.locator.toLowerCase())) continue;
      const match = convention.pattern.exec(value);
      if (!match) continue;
      found.push({
        implies: convention.implies,
        basis: convention.basis,
        confidence: convention.confidence,
        evidence: [id],
        ...(match[1] ? { version: match[1] } : {}),
      });
    }
  }
  return found;
}

/**
 * The visible findings plus the layers they imply, one hop only: an inferred
 * item never implies another. An implied technology that is also seen keeps
 * its visible finding untouched. Each inferred finding is `inferred: true`,
 * cites the evidence of what it was inferred from, says why in
 * `inferredFrom`, and is no more confident than its source or its rule.
 */
export function inferLayers(
  visible: TechnologyFinding[],
  evidence: EvidenceSet,
  db: FingerprintDatabase,
): TechnologyFinding[] {
  const seen = new Set(visible.map((finding) => finding.name));
  // An operating system the site shows outranks one a package suffix suggests.
  const osSeen = visible.some((finding) => finding.categories.includes(OPERATING_SYSTEMS));
  const inferred = new Map<string, InferredLayer>();
  for (const source of visible) {
    const distributions = osSeen ? [] : distributionsOf(source, evidence);
    for (const implication of [...implicationsOf(source, db), ...distributions]) {
      const technology = db.technologies.get(implication.implies);
      if (!technology || seen.has(technology.name)) continue;
      const confidence = Math.min(source.confidence, implication.confidence);
      const layer = inferred.get(technology.name) ?? {
        technology,
        confidence,
        evidence: new Set<string>(),
        inferredFrom: [],
        versions: [],
      };
      inferred.set(technology.name, layer);
      layer.confidence = Math.max(layer.confidence, confidence);
      for (const id of implication.evidence) layer.evidence.add(id);
      if (
        !layer.inferredFrom.some(
          (from) => from.technology === source.name && from.basis === implication.basis,
        )
      )
        layer.inferredFrom.push({ technology: source.name, basis: implication.basis });
      if (implication.version)
        layer.versions.push({ version: implication.version, source: "implies", confidence });
    }
  }
  const layers = [...inferred.values()].map((layer): TechnologyFinding => ({
    name: layer.technology.name,
    version: bestVersion(layer.versions),
    confidence: layer.confidence,
    categories: layer.technology.categoryNames,
    ...(layer.technology.website ? { website: layer.technology.website } : {}),
    evidence: [...layer.evidence],
    inferred: true,
    inferredFrom: layer.inferredFrom,
  }));
  return [...visible, ...layers].sort((a, b) => a.name.localeCompare(b.name));
}
