import type { SourceKind } from "./compile";

export interface VersionCandidate {
  version: string;
  /** Where it was read; "implies" for a version given by an implying technology's rule. */
  source: SourceKind | "implies";
  /** Confidence of the pattern that produced it, 0–100. */
  confidence: number;
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
};

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

/** True when `general` is a leading part of `specific`: "6.4" of "6.4.2". */
function refines(specific: string, general: string): boolean {
  const a = components(specific);
  const b = components(general);
  return a.length > b.length && b.every((part, i) => part === a[i]);
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
 * The best-supported version: every plausible candidate scores the weight of
 * its source times its confidence; a more specific version ("6.4.2") also
 * collects the support of the versions it refines ("6.4"). Ties go to the more
 * specific, then the higher version.
 */
export function bestVersion(candidates: VersionCandidate[]): string | null {
  const scores = new Map<string, number>();
  for (const candidate of candidates) {
    if (!isPlausibleVersion(candidate.version)) continue;
    const score = (SOURCE_WEIGHT[candidate.source] * candidate.confidence) / 100;
    scores.set(candidate.version, (scores.get(candidate.version) ?? 0) + score);
  }
  const versions = [...scores.keys()];
  const support = (version: string) =>
    versions.reduce(
      (sum, other) => sum + (other === version || refines(version, other) ? scores.get(other)! : 0),
      0,
    );
  const ranked = versions
    .map((version) => ({ version, support: support(version) }))
    .sort(
      (a, b) =>
        b.support - a.support ||
        components(b.version).length - components(a.version).length ||
        compareNumeric(b.version, a.version) ||
        a.version.localeCompare(b.version),
    );
  return ranked[0]?.version ?? null;
}
