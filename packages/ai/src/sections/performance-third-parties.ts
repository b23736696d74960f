import { formatBytes } from "../scan-context";
import { claim, type DraftClaim } from "../offline/claims";
import { performanceFindings } from "./findings";
import type { FindingsSection } from "./section";

export const performanceThirdParties: FindingsSection<"performance_third_parties"> = {
  id: "performance_third_parties",
  writtenFrom: "findings",
  brief: "Page weight, request counts, load timings, largest resources and third-party hosts.",
  findings: performanceFindings,
  tables: ({ scan }) =>
    scan.thirdParties.length
      ? [
          {
            caption: "Third parties",
            columns: ["Owner", "Host", "Category", "Requests", "Size"],
            rows: scan.thirdParties.map((p) => ({
              cells: [p.owner, p.host, p.category ?? "unknown", String(p.requests), formatBytes(p.bytes)],
              evidence: p.evidence,
            })),
          },
        ]
      : [],
  writeOffline({ scan }) {
    const { performance, thirdParties } = scan;
    const claims: DraftClaim[] = [
      claim(
        `The scanned pages made ${performance.totalRequests} requests and transferred ${formatBytes(performance.totalBytes)} in total.`,
        performance.evidence,
      ),
    ];
    for (const page of performance.pages) {
      if (page.loadMs !== null)
        claims.push(
          claim(
            `${page.url} finished loading in ${Math.round(page.loadMs)} ms` +
              (page.ttfbMs === null ? "." : ` with a time to first byte of ${Math.round(page.ttfbMs)} ms.`),
            performance.evidence,
          ),
        );
    }
    const largest = performance.largestResources[0];
    if (largest)
      claims.push(
        claim(
          `The largest resource is ${largest.url} (${largest.resourceType}, ${formatBytes(largest.bytes)}).`,
          performance.evidence,
        ),
      );
    for (const party of thirdParties)
      claims.push(
        claim(
          `${party.owner} (${party.host}${party.category ? `, ${party.category}` : ""}) made ${party.requests} requests totalling ${formatBytes(party.bytes)}.`,
          party.evidence,
        ),
      );
    if (thirdParties.length === 0)
      claims.push(claim("No third-party hosts were contacted by the scanned pages.", []));
    return claims;
  },
};
