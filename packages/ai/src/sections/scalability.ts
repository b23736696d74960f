import { formatBytes, type ScanInput } from "../scan-context";
import { claim, HEAVY_PAGE_BYTES, listOf, withCategory, type DraftClaim } from "../offline/claims";
import { performanceFindings, technologyFindings } from "./findings";
import type { FindingsSection } from "./section";

const SLOW_TTFB_MS = 800;

function slowestTtfb(scan: ScanInput) {
  return scan.performance.pages.filter((p) => p.ttfbMs !== null).sort((a, b) => b.ttfbMs! - a.ttfbMs!)[0];
}

export const scalability: FindingsSection<"scalability"> = {
  id: "scalability",
  writtenFrom: "findings",
  brief:
    "What the evidence says about scaling: CDN, hosting platform, page weight, server response times; say what needs an interview.",
  findings: (context) => [...technologyFindings(context), ...performanceFindings(context)],
  writeOffline({ scan }) {
    const claims: DraftClaim[] = [];
    const cdn = withCategory(scan, ["CDN"]);
    if (cdn.length)
      claims.push(
        claim(
          `Static content is served through ${listOf(cdn.map((t) => t.name))}, which absorbs traffic spikes at the edge.`,
          cdn.flatMap((t) => t.evidence),
        ),
      );
    else claims.push(claim("No CDN was detected, so every request reaches the origin servers.", []));
    const platform = withCategory(scan, ["PaaS", "IaaS"]);
    if (platform.length)
      claims.push(
        claim(
          `Hosting on ${listOf(platform.map((t) => t.name))} lets the serving tier scale without owning servers.`,
          platform.flatMap((t) => t.evidence),
        ),
      );
    if (scan.performance.totalBytes > HEAVY_PAGE_BYTES)
      claims.push(
        claim(
          `At ${formatBytes(scan.performance.totalBytes)} the scanned pages are heavy, which raises bandwidth costs and slows mobile users as traffic grows.`,
          scan.performance.evidence,
        ),
      );
    const slow = slowestTtfb(scan);
    if (slow && slow.ttfbMs! > SLOW_TTFB_MS)
      claims.push(
        claim(
          `A time to first byte of ${Math.round(slow.ttfbMs!)} ms on ${slow.url} suggests uncached server-side work that will not scale well.`,
          scan.performance.evidence,
        ),
      );
    claims.push(
      claim(
        "Database, queueing and autoscaling design cannot be judged from outside and need a technical interview.",
        [],
      ),
    );
    return claims;
  },
};
