import { z } from "zod";
import type { ScanDiff } from "./report/scan-diff";
import { VULNERABILITY_SEVERITIES } from "./scan/findings";

/**
 * Watchlists: which changes between two scans of a URL count (the rules), the changes a scan diff
 * holds under them, and how a re-scan's start is spread over the period.
 */

export const WATCH_CHANGE_KINDS = [
  "technology_added",
  "technology_removed",
  "version_changed",
  "vulnerability_new",
  "grade_dropped",
] as const;
export const WatchChangeKind = z.enum(WATCH_CHANGE_KINDS);
export type WatchChangeKind = z.infer<typeof WatchChangeKind>;

export const WatchRules = z
  .object({
    technologyAdded: z.boolean().default(true),
    technologyRemoved: z.boolean().default(true),
    versionChanged: z.boolean().default(true),
    /** New vulnerabilities at or above this severity count; null: none do. */
    minVulnerabilitySeverity: z.enum(VULNERABILITY_SEVERITIES).nullable().default("medium"),
    /** The security headers' score went down (a worse grade). */
    gradeDrop: z.boolean().default(true),
  })
  .strict();
export type WatchRules = z.output<typeof WatchRules>;

export interface WatchChange {
  kind: WatchChangeKind;
  details: Record<string, unknown>;
}

const severityRank = (severity: string) => VULNERABILITY_SEVERITIES.indexOf(severity as never);

/** The changes of `diff` that the rules count, in a stable order. */
export function watchChanges(diff: ScanDiff, rules: WatchRules): WatchChange[] {
  const changes: WatchChange[] = [];
  if (rules.technologyAdded)
    for (const technology of diff.technologies.added)
      changes.push({ kind: "technology_added", details: { ...technology } });
  if (rules.technologyRemoved)
    for (const technology of diff.technologies.removed)
      changes.push({ kind: "technology_removed", details: { ...technology } });
  if (rules.versionChanged)
    for (const change of diff.technologies.versionChanged)
      changes.push({ kind: "version_changed", details: { ...change } });
  const minimum = rules.minVulnerabilitySeverity;
  if (minimum !== null)
    for (const vulnerability of diff.vulnerabilities.new)
      if (severityRank(vulnerability.severity) >= severityRank(minimum))
        changes.push({ kind: "vulnerability_new", details: { ...vulnerability } });
  const { scoreBefore, scoreAfter } = diff.headerGrade;
  if (rules.gradeDrop && scoreBefore !== null && scoreAfter !== null && scoreAfter < scoreBefore)
    changes.push({ kind: "grade_dropped", details: { ...diff.headerGrade } });
  return changes;
}

/** Scans of one watchlist slot start spread over at most this long after the slot. */
export const MAX_WATCH_SPREAD_MS = 60 * 60 * 1000;

/**
 * When, after its slot, a URL's re-scan starts: a deterministic offset from the URL entry's id within
 * half the period (at most an hour), so a watchlist's URLs do not all start at once, and each URL keeps
 * its place from one period to the next.
 */
export function watchScanOffsetMs(urlId: string, periodMs: number): number {
  const spread = Math.min(MAX_WATCH_SPREAD_MS, Math.floor(periodMs / 2));
  if (spread <= 0) return 0;
  let hash = 0;
  for (const char of urlId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash % spread;
}
