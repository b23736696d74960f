import { describe, expect, it } from "vitest";
import type { ScanDiff } from "./report/scan-diff";
import { WatchRules, watchChanges, watchScanOffsetMs } from "./watchlists";

const diff: ScanDiff = {
  beforeScanId: "a",
  afterScanId: "b",
  technologies: {
    added: [{ name: "React", version: "18.2.0" }],
    removed: [{ name: "jQuery", version: "1.12.4" }],
    versionChanged: [{ name: "WordPress", from: "6.4.2", to: "6.5.0" }],
  },
  headerGrade: { before: "B", after: "D", scoreBefore: 70, scoreAfter: 40, changed: true },
  vulnerabilities: {
    new: [
      { library: "lodash", version: "4.17.20", severity: "high", identifiers: ["CVE-1"] },
      { library: "moment", version: "2.29.1", severity: "low", identifiers: ["CVE-2"] },
    ],
    fixed: [],
  },
  thirdParties: { added: [], removed: [] },
  unchanged: false,
};

describe("watchlists: rules over a scan diff", () => {
  it("counts every kind by default, vulnerabilities from medium up", () => {
    expect(watchChanges(diff, WatchRules.parse({})).map((change) => change.kind)).toEqual([
      "technology_added",
      "technology_removed",
      "version_changed",
      "vulnerability_new",
      "grade_dropped",
    ]);
  });

  it("leaves out what the rules turn off; a better grade is no drop", () => {
    const rules = WatchRules.parse({
      technologyAdded: false,
      technologyRemoved: false,
      minVulnerabilitySeverity: "critical",
    });
    expect(watchChanges(diff, rules).map((change) => change.kind)).toEqual([
      "version_changed",
      "grade_dropped",
    ]);
    const better = { ...diff, headerGrade: { ...diff.headerGrade, scoreBefore: 40, scoreAfter: 70 } };
    expect(
      watchChanges(better, WatchRules.parse({ versionChanged: false, minVulnerabilitySeverity: null })),
    ).toEqual([
      { kind: "technology_added", details: { name: "React", version: "18.2.0" } },
      { kind: "technology_removed", details: { name: "jQuery", version: "1.12.4" } },
    ]);
  });

  it("spreads starts over half the period, at most an hour, the same offset for the same URL", () => {
    const id = "0b5e7c4e-2f0e-4a53-9a7e-5a3f0d6b1c11";
    expect(watchScanOffsetMs(id, 86_400_000)).toBe(watchScanOffsetMs(id, 86_400_000));
    expect(watchScanOffsetMs(id, 86_400_000)).toBeLessThan(3_600_000);
    expect(watchScanOffsetMs(id, 60_000)).toBeLessThan(30_000);
    expect(watchScanOffsetMs(id, 0)).toBe(0);
  });
});
