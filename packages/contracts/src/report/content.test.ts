import { describe, expect, it } from "vitest";
import { ReportContent, ReportModels } from "./content";
import { ReportDocument } from "./document";

describe("shapes: stored shapes derived from contracts, not re-declared in web, worker or api", () => {
  it("the models of a report version are one schema in the stored content and the export document", () => {
    expect(ReportContent.shape.usage.shape.models).toBe(ReportModels);
    expect(ReportDocument.shape.models).toBe(ReportModels);
    expect(
      ReportModels.safeParse([{ provider: "offline", model: "rules", tasks: ["writeSection"] }]).success,
    ).toBe(true);
  });
});
