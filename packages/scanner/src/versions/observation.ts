import type { EvidenceInput } from "../evidence";

/** Where a version was read besides the fingerprint patterns themselves. */
export type VersionSource = "banner" | "constant" | "query" | "file" | "generator" | "footer" | "hash";

/**
 * A version read for a technology, with the evidence that shows it. It only
 * counts when that technology is detected on its own: a version never makes
 * a detection.
 */
export interface VersionObservation {
  /** The fingerprint database's name. */
  technology: string;
  /** As written (trimmed): "3.7.1", "10", `2024-02-06a "Kaos"`. */
  version: string;
  source: VersionSource;
  /** 0–100 */
  confidence: number;
  evidence: EvidenceInput;
}
