import { describe, expect, it } from "vitest";
import {
  progressSpans,
  REPORT_HANDOVER_STEP,
  SCAN_STAGE_PROGRESS,
  SCAN_STAGE_TABLE,
  SCAN_STAGE_VALUES,
  SCAN_STAGES,
  SCAN_STEPS,
  ScanStageValueSchema,
} from "./stages";

describe("architecture: one scan stage registry", () => {
  it("the stage names, enum values and scan page steps are the table's, in its order", () => {
    const names = SCAN_STAGE_TABLE.map((stage) => stage.name);
    expect(SCAN_STAGES).toEqual(names);
    expect(SCAN_STAGE_VALUES).toEqual([...names, REPORT_HANDOVER_STEP.name]);
    expect(SCAN_STEPS.map((step) => step.name)).toEqual(SCAN_STAGE_VALUES);
    expect(SCAN_STEPS.map((step) => step.label)).toEqual([
      "Crawl the site",
      "Render pages in Chromium",
      "Detect technologies",
      "Security checks",
      "Vulnerable libraries",
      "Performance and third parties",
      "Hand over to the report",
    ]);
  });

  it("the progress bar is the weights in order: the worker's former 35/70/78/86/92/100", () => {
    expect(SCAN_STAGE_PROGRESS).toEqual({
      crawl: { from: 0, to: 35 },
      render: { from: 35, to: 70 },
      detect: { from: 70, to: 78 },
      security: { from: 78, to: 86 },
      vulns: { from: 86, to: 92 },
      store: { from: 92, to: 100 },
    });
  });

  it("a new row takes its share: the spans stay contiguous and the last still ends at 100", () => {
    const spans = progressSpans([...SCAN_STAGE_TABLE, { name: "new", label: "New stage", weight: 25 }]);
    expect(Object.entries(spans)).toEqual([
      ["crawl", { from: 0, to: 28 }],
      ["render", { from: 28, to: 56 }],
      ["detect", { from: 56, to: 62 }],
      ["security", { from: 62, to: 69 }],
      ["vulns", { from: 69, to: 74 }],
      ["store", { from: 74, to: 80 }],
      ["new", { from: 80, to: 100 }],
    ]);
  });

  it("a stage that is not in the table is refused, naming the ones there are", () => {
    const parsed = ScanStageValueSchema.safeParse("deploy");
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain('"crawl"|"render"');
  });
});
