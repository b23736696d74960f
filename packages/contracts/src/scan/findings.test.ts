import { describe, expect, it } from "vitest";
import { HEADER_GRADE_FINDING, type FindingRecord } from "./findings";
import { scanInputFromStored } from "./stored";

describe("shapes: stored-data shapes from contracts", () => {
  it("a header grade finding written as the pipeline writes it is read back as the scan's grade", () => {
    const grade: FindingRecord = {
      ...HEADER_GRADE_FINDING,
      version: "B",
      category: "headers",
      confidence: null,
      severity: "info",
      evidenceIds: [],
      details: { grade: "B", score: 70 },
    };
    const scan = scanInputFromStored({
      targetUrl: "https://example.com/",
      findings: [grade],
      evidence: [],
      securityCheckpoint: null,
    });
    expect(scan.security).toMatchObject({ grade: "B", score: 70, tests: [], dns: null });
  });
});
