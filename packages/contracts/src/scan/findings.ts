import { z } from "zod";

/** What a stored finding is about (the `finding_kind` enum of table `findings`). */
export const FINDING_KINDS = [
  "technology",
  "security",
  "vulnerability",
  "performance",
  "third_party",
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** A finding's severity (the check on `findings.severity`); `info` is for findings that are no risk. */
export const FINDING_SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/** A known-vulnerable library's severity (retire.js's scale). */
export const VULNERABILITY_SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type VulnerabilitySeverity = (typeof VULNERABILITY_SEVERITIES)[number];

/** One `findings` row as the scan pipeline writes it. */
export interface FindingRecord {
  kind: FindingKind;
  key: string;
  name: string;
  version: string | null;
  category: string | null;
  confidence: number | null;
  severity: FindingSeverity | null;
  evidenceIds: string[];
  /** The scanner's full finding object. */
  details: unknown;
}

/** The security stage stores the HTTP security headers grade as one finding: the grade is its `version`. */
export const HEADER_GRADE_FINDING = {
  kind: "security",
  key: "grade",
  name: "HTTP security headers grade",
} as const;
export const HeaderGradeDetails = z.object({ grade: z.string(), score: z.number() });

/** `details` parsed with `schema`, or null when the stored object does not have that shape. */
export function detailsAs<T>(schema: z.ZodType<T>, details: unknown): T | null {
  const parsed = schema.safeParse(details);
  return parsed.success ? parsed.data : null;
}
