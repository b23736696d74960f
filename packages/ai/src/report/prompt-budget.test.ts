import { describe, expect, it } from "vitest";
import { buildScanContext } from "../scan-context";
import { wordpressScan } from "../testing/scans";
import { sectionPrompt } from "./graph";

describe("report: the section prompt's evidence budget is shared by every finding", () => {
  it("a technology with hundreds of evidence items does not push the others' evidence out", () => {
    const scan = wordpressScan();
    const [first, ...others] = [...scan.technologies].sort((a, b) => a.name.localeCompare(b.name));
    const bulky = Array.from({ length: 300 }, (_, n) => ({
      ...scan.evidence.find((item) => item.id === first!.evidence[0])!,
      id: `ev_bulk_${n}`,
      snippet: `asset ${n} `.repeat(40),
    }));
    const inflated = {
      ...scan,
      technologies: [
        { ...first!, evidence: [...first!.evidence, ...bulky.map((item) => item.id)] },
        ...others,
      ],
      evidence: [...scan.evidence, ...bulky],
    };
    const prompt = sectionPrompt(
      "technology_stack",
      buildScanContext({ scanId: "s", tenantId: "t", scan: inflated, thesis: null }),
    );
    // The budget cut the bulky ones, yet every technology keeps its own first evidence item.
    const cited = prompt.slice(prompt.indexOf("Evidence items you may cite"));
    expect(cited).toContain("ev_bulk_0");
    expect(cited).not.toContain("ev_bulk_299");
    for (const technology of others) expect(cited, technology.name).toContain(technology.evidence[0]!);
  });
});
