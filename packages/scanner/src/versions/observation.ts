import type { EvidenceInput, EvidenceKind } from "../evidence";
import { around, lineOf } from "../fingerprints/analyze";

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

/** The evidence of a version read at `at` in a file's text: the line it is on, the text around it. */
export function evidenceInText(
  file: { url: string; content: string; kind: EvidenceKind },
  at: number,
  version: string,
): EvidenceInput {
  return {
    kind: file.kind,
    collector: "version",
    url: file.url,
    locator: `line ${lineOf(file.content, at)}`,
    ...around(file.content, at, at + version.length),
  };
}
