import type { EvidenceSet } from "../evidence";
import { inferLayers } from "../inference";
import type { TechnologyFinding } from "../result";
import type { PageSnapshot, SiteContext } from "../types";
import { type VersionObservation, observeVersions } from "../versions";
import {
  type CompiledTechnology,
  type FingerprintDatabase,
  getFingerprintDatabase,
  normaliseJsPath,
} from "./compile";
import { type PatternMatch, analyzePage, analyzeSite } from "./analyze";
import { type VersionCandidate, rankVersions, writtenVersion } from "./versions";

interface Detection {
  technology: CompiledTechnology;
  /** Confidence per matched pattern id: each pattern counts once, however many pages it matched. */
  patternConfidence: Map<number, number>;
  evidence: Set<string>;
  versions: VersionCandidate[];
}

interface Resolved {
  technology: CompiledTechnology;
  confidence: number;
  evidence: Set<string>;
  versions: VersionCandidate[];
}

function collect(matches: PatternMatch[], evidence: EvidenceSet): Map<string, Detection> {
  const detections = new Map<string, Detection>();
  for (const match of matches) {
    const { pattern } = match;
    const name = pattern.technology.name;
    let detection = detections.get(name);
    if (!detection) {
      detection = {
        technology: pattern.technology,
        patternConfidence: new Map(),
        evidence: new Set(),
        versions: [],
      };
      detections.set(name, detection);
    }
    detection.patternConfidence.set(pattern.id, pattern.confidence);
    const item = evidence.add({
      kind: match.evidenceKind,
      collector: "fingerprint",
      url: match.url,
      locator: match.locator,
      snippet: match.snippet,
      focus: match.focus,
      confidence: pattern.confidence,
    });
    detection.evidence.add(item.id);
    if (match.version)
      detection.versions.push({
        version: writtenVersion(match.version),
        source: pattern.kind,
        confidence: pattern.confidence,
        evidence: item.id,
      });
  }
  return detections;
}

function sumConfidence(detection: Detection): number {
  let sum = 0;
  for (const confidence of detection.patternConfidence.values()) sum += confidence;
  return Math.min(100, sum);
}

/**
 * Add the versions read for a present technology to its candidates, each
 * reading of a piece of evidence once (a generator tag a pattern already
 * read counts again only when it was read as a different version).
 */
function addObservations(item: Resolved, observations: VersionObservation[], evidence: EvidenceSet): void {
  for (const observation of observations) {
    const { id } = evidence.add({ ...observation.evidence, confidence: observation.confidence });
    const { version } = observation;
    if (item.versions.some((candidate) => candidate.evidence === id && candidate.version === version))
      continue;
    item.evidence.add(id);
    item.versions.push({
      version: observation.version,
      source: observation.source,
      confidence: observation.confidence,
      evidence: id,
    });
  }
}

/**
 * Turn raw pattern matches into findings, the way Wappalyzer resolves them:
 * a technology with `requires`/`requiresCategory` counts only when what it
 * requires is present; `excludes` removes technologies; `implies` adds them
 * as inferred layers, one hop from what was seen (`inferLayers`). Confidence
 * is the sum of the matched patterns' confidences, capped at 100. Versions
 * read outside the patterns (`observations`) count for technologies found
 * here, and never make one; when the versions read disagree, every one is
 * listed with its evidence in `versions`, best first.
 */
export function resolveMatches(
  matches: PatternMatch[],
  evidence: EvidenceSet,
  db: FingerprintDatabase = getFingerprintDatabase(),
  observations: VersionObservation[] = [],
): TechnologyFinding[] {
  const detections = collect(matches, evidence);
  const resolved = new Map<string, Resolved>();

  // What is present for `requires`: the resolved technologies and everything they imply, transitively.
  const impliedClosure = (from: Iterable<Resolved>): Map<string, CompiledTechnology> => {
    const present = new Map<string, CompiledTechnology>();
    const queue = [...from].map((item) => item.technology);
    for (const technology of queue) present.set(technology.name, technology);
    while (queue.length > 0) {
      for (const implied of queue.shift()!.implies) {
        if (present.has(implied.name)) continue;
        const technology = db.technologies.get(implied.name)!;
        present.set(implied.name, technology);
        queue.push(technology);
      }
    }
    return present;
  };

  // Requirements can be met by technologies found (or implied) in an earlier round.
  let changed = true;
  while (changed) {
    changed = false;
    const present = impliedClosure(resolved.values());
    const presentCategories = new Set([...present.values()].flatMap((t) => t.categories));
    for (const [name, detection] of detections) {
      if (resolved.has(name)) continue;
      const { requires, requiresCategory } = detection.technology;
      const met =
        (requires.length === 0 || requires.some((required) => present.has(required))) &&
        (requiresCategory.length === 0 || requiresCategory.some((id) => presentCategories.has(id)));
      if (!met) continue;
      resolved.set(name, {
        technology: detection.technology,
        confidence: sumConfidence(detection),
        evidence: detection.evidence,
        versions: detection.versions,
      });
      changed = true;
    }
  }

  for (const item of [...resolved.values()]) {
    for (const excluded of item.technology.excludes) resolved.delete(excluded);
  }

  const observed = new Map<string, VersionObservation[]>();
  for (const observation of observations) {
    observed.set(observation.technology, [...(observed.get(observation.technology) ?? []), observation]);
  }
  // Observations first: an inferred layer cites its source's evidence, versions read included.
  const visible = [...resolved.values()].map((item): TechnologyFinding => {
    addObservations(item, observed.get(item.technology.name) ?? [], evidence);
    const ranked = rankVersions(item.versions);
    return {
      name: item.technology.name,
      version: ranked[0]?.version ?? null,
      confidence: item.confidence,
      categories: item.technology.categoryNames,
      ...(item.technology.website ? { website: item.technology.website } : {}),
      evidence: [...item.evidence],
      ...(ranked.length > 1
        ? {
            versions: ranked.map(({ version, sources, evidence: ids }) => ({
              version,
              sources,
              evidence: ids,
            })),
          }
        : {}),
    };
  });
  return inferLayers(visible, evidence, db);
}

/** Detect the technologies of a site from its pages and site-level context, recording every piece of evidence. */
export function detectTechnologies(
  pages: PageSnapshot[],
  site: SiteContext,
  evidence: EvidenceSet,
  db: FingerprintDatabase = getFingerprintDatabase(),
): TechnologyFinding[] {
  const matches = [...pages.flatMap((page) => analyzePage(page, db)), ...analyzeSite(site, db)];
  return resolveMatches(matches, evidence, db, observeVersions(pages, site, db));
}

/** The JS paths (dotted) whose values the renderer must read into `PageSnapshot.js`. */
export function fingerprintJsGlobals(db: FingerprintDatabase = getFingerprintDatabase()): string[] {
  return [...db.keyed.js.keys()].map(normaliseJsPath).sort();
}

/** The DOM node properties the renderer must read into `PageSnapshot.domProperties`, per CSS selector. */
export function fingerprintDomProperties(
  db: FingerprintDatabase = getFingerprintDatabase(),
): { selector: string; properties: string[] }[] {
  return db.dom
    .map((rule) => ({
      selector: rule.selector,
      properties: [
        ...new Set(rule.patterns.flatMap((p) => (p.domPart?.type === "property" ? [p.domPart.name] : []))),
      ].sort(),
    }))
    .filter((entry) => entry.properties.length > 0);
}
