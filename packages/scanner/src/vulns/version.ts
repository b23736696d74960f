/**
 * Version ordering for retire.js ranges. Versions are split on ".", "-", "_"
 * and "+", and each part further into digit and letter runs, so "1.9.0b1"
 * reads as 1, 9, 0, "b", 1. Numbers compare as numbers, letters
 * case-insensitively as text, and a letter part sorts before any number or a
 * missing part: pre-releases and vendor builds ("3.0.0-rc.1", "1.9.0b1",
 * "1.12.4-aem") come before the release they lead to. Missing parts count as
 * 0, so "1.0" equals "1.0.0".
 */
type Part = number | string;

function parts(version: string): Part[] {
  const out: Part[] = [];
  for (const token of version
    .trim()
    .toLowerCase()
    .split(/[.\-_+]/)) {
    for (const run of token.match(/\d+|[a-z]+/g) ?? []) out.push(/^\d/.test(run) ? Number(run) : run);
  }
  return out;
}

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareVersions(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (typeof x !== typeof y) return typeof x === "string" ? -1 : 1;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/** retire.js range check: atOrAbove ≤ version < below (either bound optional). */
export function inRange(version: string, range: { atOrAbove?: string; below?: string }): boolean {
  if (range.below !== undefined && compareVersions(version, range.below) >= 0) return false;
  if (range.atOrAbove !== undefined && compareVersions(version, range.atOrAbove) < 0) return false;
  return true;
}
