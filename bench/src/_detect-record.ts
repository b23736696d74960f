/**
 * Our engine's complete output over the detect corpus, one JSON line per page:
 * every raw pattern match in order (pattern, kind, url, locator, snippet,
 * focus, version) and the resolved findings with their evidence. Speed work on
 * the engine must leave this byte-for-byte unchanged
 * (`./techscaniq bench detect --record FILE` before and after, then `cmp`).
 */
import { EvidenceSet } from "@techscaniq/scanner";
import {
  type FingerprintDatabase,
  analyzePage,
  resolveMatches,
  snapshotFromHtml,
} from "@techscaniq/scanner/fingerprints";
import type { CorpusPage } from "./_detect-corpus";

export function recordDetections(corpus: CorpusPage[], db: FingerprintDatabase): string {
  return corpus
    .map((page) => {
      const matches = analyzePage(snapshotFromHtml(page), db);
      const evidence = new EvidenceSet();
      const findings = resolveMatches(matches, evidence, db);
      return JSON.stringify({
        url: page.url,
        matches: matches.map(({ pattern, ...match }) => ({
          pattern: pattern.id,
          technology: pattern.technology.name,
          ...match,
        })),
        findings,
        // observedAt is the clock, not the page: left out so two runs compare equal.
        evidence: evidence.list().map(({ observedAt: _clock, ...item }) => item),
      });
    })
    .join("\n");
}
