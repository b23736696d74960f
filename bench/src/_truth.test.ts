import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RecordedSite, startRecordedSite } from "@techscaniq/fixtures";
import { type TruthScore, detectForTruth, figures, loadTruthFiles, scoreDetection } from "./_truth-score";

/**
 * The fast subset of `./techscaniq bench truth`: real applications' recorded responses (HTML, headers
 * and every asset the scan fetched, recorded with `bench truth --record`) replayed on 127.0.0.1 and
 * scanned as `detect --render --allow-private` does. The floors are the figures measured on them, so a
 * detection that gets worse fails here.
 */
const MEASURED: Record<string, { visibleFound: number; correctDetections: number; versionsRight: number }> = {
  dokuwiki: { visibleFound: 6, correctDetections: 6, versionsRight: 3 },
  phpmyadmin: { visibleFound: 7, correctDetections: 8, versionsRight: 7 },
  tomcat10: { visibleFound: 0, correctDetections: 0, versionsRight: 0 },
  vitepress: { visibleFound: 2, correctDetections: 2, versionsRight: 1 },
};

const truths = new Map(loadTruthFiles().map((truth) => [truth.app, truth]));

describe("truth: corpus subset", () => {
  const sites = new Map<string, RecordedSite>();
  beforeAll(async () => {
    for (const app of Object.keys(MEASURED)) sites.set(app, await startRecordedSite(app));
  });
  afterAll(async () => {
    await Promise.all([...sites.values()].map((site) => site.close()));
  });

  for (const [app, floor] of Object.entries(MEASURED)) {
    it(`${app}: the replayed real app scores at least what was measured`, { timeout: 180_000 }, async () => {
      const truth = truths.get(app)!;
      const score: TruthScore = scoreDetection(truth, await detectForTruth(sites.get(app)!.origin + "/"));
      const report = { missed: score.missed, extra: score.extra, wrongVersions: score.wrongVersions };
      expect(score.visibleFound, JSON.stringify(report)).toBeGreaterThanOrEqual(floor.visibleFound);
      expect(score.correctDetections, JSON.stringify(report)).toBeGreaterThanOrEqual(floor.correctDetections);
      expect(score.versionsRight, JSON.stringify(report)).toBeGreaterThanOrEqual(floor.versionsRight);
      // Precision: nothing detected that the hand-checked truth does not list.
      expect(score.extra).toEqual([]);
      expect(figures(score).precision).toBe(1);
    });
  }
});
