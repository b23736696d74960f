import type { EvidenceSet } from "../evidence";
import { registrableDomain } from "../net/domain";
import type { PerformanceReport, ThirdPartyFinding } from "../result";
import type { NetworkRequest, PageSnapshot } from "../types";
import { ownerOf } from "./owners";

export { ownerOf, type ThirdPartyOwner } from "./owners";

/** Request URLs quoted in one evidence item. */
const EVIDENCE_REQUESTS = 10;
const LARGEST_RESOURCES = 10;

function hostOf(url: string): string | null {
  return URL.canParse(url) ? new URL(url).hostname.replace(/^\[|\]$/g, "") : null;
}

/**
 * What a page requested: the browser's requests when it was rendered, else
 * the scripts and stylesheets its HTML names (sizes unknown).
 */
function requestsOf(page: PageSnapshot): NetworkRequest[] {
  if (page.requests.length > 0) return page.requests;
  const site = registrableDomain(hostOf(page.url) ?? "");
  const guess = (url: string, resourceType: string): NetworkRequest => ({
    url,
    method: "GET",
    resourceType,
    status: null,
    bytes: 0,
    durationMs: null,
    thirdParty: registrableDomain(hostOf(url) ?? "") !== site,
  });
  return [
    ...page.scriptSrc.map((u) => guess(u, "script")),
    ...page.stylesheets.map((u) => guess(u, "stylesheet")),
  ];
}

/**
 * Hosts of other sites that the pages load from, grouped per host with their
 * owner and category (or registrable domain when the owner is not known),
 * request counts and bytes; most requested first.
 */
export function summariseThirdParties(pages: PageSnapshot[], evidence: EvidenceSet): ThirdPartyFinding[] {
  const byHost = new Map<string, { requests: NetworkRequest[]; page: string }>();
  for (const page of pages) {
    const site = registrableDomain(hostOf(page.url) ?? "");
    for (const request of requestsOf(page)) {
      const host = hostOf(request.url);
      if (!host || !/^https?:/.test(request.url)) continue;
      if (!request.thirdParty && registrableDomain(host) === site) continue;
      const entry = byHost.get(host) ?? { requests: [], page: page.url };
      entry.requests.push(request);
      byHost.set(host, entry);
    }
  }
  const findings: ThirdPartyFinding[] = [];
  for (const [host, { requests, page }] of byHost) {
    const known = ownerOf(host);
    const lines = requests
      .slice(0, EVIDENCE_REQUESTS)
      .map((r) => `${r.method} ${r.url} (${r.resourceType}${r.bytes ? `, ${r.bytes} bytes` : ""})`);
    if (requests.length > EVIDENCE_REQUESTS) lines.push(`… ${requests.length - EVIDENCE_REQUESTS} more`);
    const id = evidence.add({
      kind: "network",
      collector: "thirdparty",
      url: page,
      locator: host,
      snippet: lines.join("\n"),
    }).id;
    findings.push({
      host,
      owner: known?.owner ?? registrableDomain(host),
      category: known?.category ?? null,
      requests: requests.length,
      bytes: requests.reduce((sum, r) => sum + r.bytes, 0),
      evidence: [id],
    });
  }
  return findings.sort(
    (a, b) => b.requests - a.requests || b.bytes - a.bytes || a.host.localeCompare(b.host),
  );
}

/**
 * Page weight and request counts by resource type, the largest resources and
 * load timings. A page that was not rendered counts its own document only.
 */
export function summarisePerformance(pages: PageSnapshot[], evidence: EvidenceSet): PerformanceReport {
  const report: PerformanceReport = {
    pages: [],
    largestResources: [],
    totalBytes: 0,
    totalRequests: 0,
    evidence: [],
  };
  const resources = new Map<string, PerformanceReport["largestResources"][number]>();
  for (const page of pages) {
    const requests: NetworkRequest[] = page.requests.length
      ? page.requests
      : [
          {
            url: page.url,
            method: "GET",
            resourceType: "document",
            status: page.status,
            bytes: page.bytes,
            durationMs: null,
            thirdParty: false,
          },
        ];
    const bytesByType: Record<string, number> = {};
    const requestsByType: Record<string, number> = {};
    for (const r of requests) {
      bytesByType[r.resourceType] = (bytesByType[r.resourceType] ?? 0) + r.bytes;
      requestsByType[r.resourceType] = (requestsByType[r.resourceType] ?? 0) + 1;
      if ((resources.get(r.url)?.bytes ?? -1) < r.bytes)
        resources.set(r.url, { url: r.url, bytes: r.bytes, resourceType: r.resourceType });
    }
    const bytes = requests.reduce((sum, r) => sum + r.bytes, 0);
    const entry = {
      url: page.url,
      bytes,
      requests: requests.length,
      bytesByType,
      requestsByType,
      ttfbMs: page.timings?.ttfbMs ?? null,
      domContentLoadedMs: page.timings?.domContentLoadedMs ?? null,
      loadMs: page.timings?.loadMs ?? null,
    };
    report.pages.push(entry);
    report.totalBytes += bytes;
    report.totalRequests += requests.length;
    const timing = [
      entry.ttfbMs === null ? null : `ttfb ${entry.ttfbMs} ms`,
      entry.domContentLoadedMs === null ? null : `DOMContentLoaded ${entry.domContentLoadedMs} ms`,
      entry.loadMs === null ? null : `load ${entry.loadMs} ms`,
    ].filter(Boolean);
    const snippet = [
      `${page.url}: ${requests.length} requests, ${bytes} bytes${page.rendered ? "" : " (not rendered: document only)"}`,
      ...Object.entries(bytesByType)
        .sort(([, a], [, b]) => b - a)
        .map(([type, b]) => `${type}: ${requestsByType[type]} requests, ${b} bytes`),
      ...(timing.length ? [timing.join(", ")] : []),
    ].join("\n");
    report.evidence.push(
      evidence.add({ kind: "page", collector: "performance", url: page.url, locator: "page weight", snippet })
        .id,
    );
  }
  report.largestResources = [...resources.values()]
    .sort((a, b) => b.bytes - a.bytes || a.url.localeCompare(b.url))
    .slice(0, LARGEST_RESOURCES);
  return report;
}
