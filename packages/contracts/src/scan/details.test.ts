import { describe, expect, it } from "vitest";
import { PerformanceDetails, TechnologyDetails, TlsDetails, VulnerabilityDetails } from "./details";
import { detailsAs } from "./findings";
import { storedEvidenceFromRow } from "./stored";

describe("shapes: stored shapes derived from contracts, not re-declared in web, worker or api", () => {
  it("reads finding details as the pipeline stores them, with what only the scan page shows", () => {
    const technology = {
      name: "WordPress",
      version: "6.4.2",
      confidence: 100,
      categories: ["CMS"],
      website: "https://wordpress.org",
      evidence: ["ev1"],
    };
    expect(detailsAs(TechnologyDetails, technology)).toEqual(technology);
    const vulnerability = {
      library: "jquery",
      version: "1.8.3",
      severity: "medium",
      identifiers: ["CVE-2020-11022"],
      summary: null,
      info: ["https://blog.jquery.com/2020/04/10/jquery-3-5-0-released/"],
      evidence: ["ev2"],
    };
    expect(detailsAs(VulnerabilityDetails, vulnerability)?.info).toEqual(vulnerability.info);
    const page = {
      url: "https://example.com/",
      bytes: 2048,
      requests: 3,
      bytesByType: { script: 1024, document: 1024 },
      requestsByType: { script: 2, document: 1 },
      ttfbMs: 40,
      domContentLoadedMs: null,
      loadMs: null,
    };
    const performance = {
      pages: [page],
      largestResources: [],
      totalBytes: 2048,
      totalRequests: 3,
      evidence: [],
    };
    expect(detailsAs(PerformanceDetails, performance)?.pages[0]?.bytesByType).toEqual(page.bytesByType);
    // An unexpected shape is no details, not a broken page.
    expect(detailsAs(TlsDetails, { host: "example.com" })).toBeNull();
  });

  it("maps an evidence_items row to the stored evidence item once, for the worker and the api", () => {
    const observedAt = new Date("2026-12-01T10:00:00.000Z");
    expect(
      storedEvidenceFromRow({
        evidence_id: "ev1",
        kind: "header",
        collector: "http",
        url: "https://example.com/",
        locator: "header:server",
        snippet: "Server: nginx",
        content_hash: "abc",
        observed_at: observedAt,
        confidence: 1,
      }),
    ).toEqual({
      id: "ev1",
      kind: "header",
      collector: "http",
      url: "https://example.com/",
      locator: "header:server",
      snippet: "Server: nginx",
      contentHash: "abc",
      observedAt: "2026-12-01T10:00:00.000Z",
      confidence: 1,
    });
  });
});
