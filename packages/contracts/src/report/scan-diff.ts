import { z } from "zod";
import type { ScanInput } from "../scan/result";

const Technology = z.object({ name: z.string(), version: z.string().nullable() });
const Vulnerability = z.object({
  library: z.string(),
  version: z.string(),
  severity: z.string(),
  identifiers: z.array(z.string()),
});
const ThirdParty = z.object({ host: z.string(), owner: z.string() });

/** What changed between two scans of the same target, as data (and as the report's "changes" section). */
export const ScanDiff = z.object({
  beforeScanId: z.string(),
  afterScanId: z.string(),
  technologies: z.object({
    added: z.array(Technology),
    removed: z.array(Technology),
    versionChanged: z.array(
      z.object({ name: z.string(), from: z.string().nullable(), to: z.string().nullable() }),
    ),
  }),
  headerGrade: z.object({
    before: z.string().nullable(),
    after: z.string().nullable(),
    scoreBefore: z.number().nullable(),
    scoreAfter: z.number().nullable(),
    changed: z.boolean(),
  }),
  vulnerabilities: z.object({ new: z.array(Vulnerability), fixed: z.array(Vulnerability) }),
  thirdParties: z.object({ added: z.array(ThirdParty), removed: z.array(ThirdParty) }),
  /** True when none of the above changed. */
  unchanged: z.boolean(),
});
export type ScanDiff = z.infer<typeof ScanDiff>;

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

/** Keyed difference: items only in `after` (added) and only in `before` (removed), sorted by key. */
function keyedDiff<T>(
  before: readonly T[],
  after: readonly T[],
  key: (item: T) => string,
): { added: T[]; removed: T[] } {
  const beforeKeys = new Map(before.map((item) => [key(item), item]));
  const afterKeys = new Map(after.map((item) => [key(item), item]));
  const sorted = (items: Map<string, T>, other: Map<string, T>) =>
    [...items.entries()]
      .filter(([k]) => !other.has(k))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, item]) => item);
  return { added: sorted(afterKeys, beforeKeys), removed: sorted(beforeKeys, afterKeys) };
}

export function diffScans(
  before: { scanId: string; scan: ScanInput },
  after: { scanId: string; scan: ScanInput },
): ScanDiff {
  const techBefore = new Map(before.scan.technologies.map((t) => [t.name, t.version]));
  const techAfter = new Map(after.scan.technologies.map((t) => [t.name, t.version]));
  const technologies = {
    added: [...techAfter]
      .filter(([name]) => !techBefore.has(name))
      .map(([name, version]) => ({ name, version }))
      .sort(byName),
    removed: [...techBefore]
      .filter(([name]) => !techAfter.has(name))
      .map(([name, version]) => ({ name, version }))
      .sort(byName),
    versionChanged: [...techAfter]
      .filter(([name, version]) => techBefore.has(name) && techBefore.get(name) !== version)
      .map(([name, to]) => ({ name, from: techBefore.get(name) ?? null, to }))
      .sort(byName),
  };
  const gradeBefore = before.scan.security?.grade ?? null;
  const gradeAfter = after.scan.security?.grade ?? null;
  const headerGrade = {
    before: gradeBefore,
    after: gradeAfter,
    scoreBefore: before.scan.security?.score ?? null,
    scoreAfter: after.scan.security?.score ?? null,
    changed: gradeBefore !== gradeAfter,
  };
  const vulnerability = (v: ScanInput["vulnerabilities"][number]) => ({
    library: v.library,
    version: v.version,
    severity: v.severity,
    identifiers: v.identifiers,
  });
  const vulnKey = (v: z.infer<typeof Vulnerability>) =>
    `${v.library}@${v.version}#${[...v.identifiers].sort().join(",")}`;
  const vulns = keyedDiff(
    before.scan.vulnerabilities.map(vulnerability),
    after.scan.vulnerabilities.map(vulnerability),
    vulnKey,
  );
  const party = (p: ScanInput["thirdParties"][number]) => ({ host: p.host, owner: p.owner });
  const parties = keyedDiff(
    before.scan.thirdParties.map(party),
    after.scan.thirdParties.map(party),
    (p) => p.host,
  );
  const unchanged =
    technologies.added.length + technologies.removed.length + technologies.versionChanged.length === 0 &&
    !headerGrade.changed &&
    vulns.added.length + vulns.removed.length + parties.added.length + parties.removed.length === 0;
  return {
    beforeScanId: before.scanId,
    afterScanId: after.scanId,
    technologies,
    headerGrade,
    vulnerabilities: { new: vulns.added, fixed: vulns.removed },
    thirdParties: parties,
    unchanged,
  };
}
