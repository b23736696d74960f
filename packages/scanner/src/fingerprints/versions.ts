import type { VersionSource } from "../versions/observation";
import type { SourceKind } from "./compile";

export interface VersionCandidate {
  version: string;
  /** Where it was read; "implies" for a version given by an implying technology's rule. */
  source: SourceKind | "implies" | VersionSource;
  /** Confidence of the pattern that produced it, 0–100. */
  confidence: number;
  /** Id of the evidence that shows it. */
  evidence?: string;
}

/** One version a technology was read at, with everything that supports it. */
export interface RankedVersion {
  version: string;
  /** Its own candidates' weighted confidence plus that of the less specific versions it refines. */
  support: number;
  sources: VersionCandidate["source"][];
  evidence: string[];
}

/**
 * How much a version read from each kind of source is worth. A version the
 * software announces about itself (generator meta, Server/X-Powered-By header,
 * a runtime value) outweighs one read off an asset path or a banner, which can
 * belong to a bundled copy.
 */
const SOURCE_WEIGHT: Record<VersionCandidate["source"], number> = {
  meta: 3,
  headers: 3,
  js: 3,
  cookies: 2,
  scriptSrc: 2,
  scripts: 2,
  html: 2,
  dom: 2,
  css: 2,
  text: 1,
  url: 1,
  xhr: 1,
  dns: 1,
  certIssuer: 1,
  robots: 1,
  implies: 1,
  // Read by src/versions: a release file byte for byte, a metadata file and a generator tag
  // are the software's own statement; a banner, constant or footer can belong to a copy;
  // a query string is the weakest (it passed the cache-buster checks, but it is a URL).
  hash: 3,
  file: 3,
  generator: 3,
  banner: 2,
  constant: 2,
  footer: 2,
  query: 1,
};

/** A version as written, without the word before it: " Release 2024-02-06" → "2024-02-06". */
export function writtenVersion(version: string): string {
  return version.trim().replace(/^(?:release|version:?|v)(?=[\s\d])\s*/i, "");
}

/**
 * Whether a string can be a version: not a cache-busting timestamp
 * (`?ver=1699999999`, `20240115`), not a content hash (`?v=8c1f3e9a`), not
 * absurdly long.
 */
export function isPlausibleVersion(version: string): boolean {
  if (version === "" || version.length > 20) return false;
  if (/^\d{6,}$/.test(version)) return false;
  if (/^[0-9a-f]{6,}$/i.test(version) && /[a-f]/i.test(version) && /\d/.test(version)) return false;
  const major = /^\d+/.exec(version);
  if (major && Number(major[0]) >= 10000) return false;
  return true;
}

function components(version: string): string[] {
  return version.split(/[.\-+]/);
}

/**
 * True when `general` is a leading part of `specific`: "6.4" of "6.4.2",
 * "2024-02-06" of `2024-02-06a "Kaos"`; not "6.4" of "6.40".
 */
function refines(specific: string, general: string): boolean {
  if (specific.length <= general.length || !specific.startsWith(general)) return false;
  return !(/[0-9]/.test(general.at(-1)!) && /[0-9]/.test(specific[general.length]!));
}

function compareNumeric(a: string, b: string): number {
  const pa = components(a);
  const pb = components(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = Number.parseInt(pa[i] ?? "0", 10) || 0;
    const y = Number.parseInt(pb[i] ?? "0", 10) || 0;
    if (x !== y) return x - y;
  }
  return 0;
}

/**
 * Every plausible version, best-supported first: each candidate scores the
 * weight of its source times its confidence; a more specific version
 * ("6.4.2") also collects the support of the versions it refines ("6.4"),
 * but a less specific one never borrows precision from a more specific one.
 * Ties go to the more specific, then the higher version.
 */
export function rankVersions(candidates: VersionCandidate[]): RankedVersion[] {
  const read = new Map<
    string,
    { score: number; sources: Set<VersionCandidate["source"]>; evidence: Set<string> }
  >();
  for (const candidate of candidates) {
    if (!isPlausibleVersion(candidate.version)) continue;
    const score = (SOURCE_WEIGHT[candidate.source] * candidate.confidence) / 100;
    let entry = read.get(candidate.version);
    if (!entry) read.set(candidate.version, (entry = { score: 0, sources: new Set(), evidence: new Set() }));
    entry.score += score;
    entry.sources.add(candidate.source);
    if (candidate.evidence) entry.evidence.add(candidate.evidence);
  }
  const versions = [...read.keys()];
  const support = (version: string) =>
    versions.reduce(
      (sum, other) => sum + (other === version || refines(version, other) ? read.get(other)!.score : 0),
      0,
    );
  return versions
    .map((version) => ({
      version,
      support: support(version),
      sources: [...read.get(version)!.sources],
      evidence: [...read.get(version)!.evidence],
    }))
    .sort(
      (a, b) =>
        b.support - a.support ||
        components(b.version).length - components(a.version).length ||
        compareNumeric(b.version, a.version) ||
        a.version.localeCompare(b.version),
    );
}

/** The best-supported version (see `rankVersions`), or null when no candidate is plausible. */
export function bestVersion(candidates: VersionCandidate[]): string | null {
  return rankVersions(candidates)[0]?.version ?? null;
}
