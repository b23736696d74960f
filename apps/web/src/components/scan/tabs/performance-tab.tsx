"use client";

import { formatBytes, formatDuration, pathOf } from "../../../lib/format";
import { trpc } from "../../../lib/trpc";
import { Card } from "../../ui/card";
import { EmptyState } from "../../ui/states";
import { detailsAs, PerformanceDetails, ThirdPartyDetails } from "@techscaniq/contracts/scan";
import type { TabProps } from "../scan-tabs";
import { Bar, EvidenceLink, Loaded, SectionTitle } from "./common";

const TYPE_COLOURS: Record<string, string> = {
  document: "bg-primary",
  script: "bg-warning",
  stylesheet: "bg-info",
  image: "bg-success",
  font: "bg-critical",
};

function BarChart({
  rows,
  format,
  label,
}: {
  rows: { key: string; label: string; value: number; tone?: string }[];
  format: (value: number) => string;
  label: string;
}) {
  const max = Math.max(0, ...rows.map((row) => row.value));
  return (
    <table className="w-full text-sm" aria-label={label}>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key}>
            <th
              scope="row"
              className="w-36 max-w-36 truncate py-1.5 pr-3 text-left font-normal text-muted-foreground"
            >
              {row.label}
            </th>
            <td className="py-1.5">
              <Bar value={row.value} max={max} tone={row.tone} />
            </td>
            <td className="w-20 py-1.5 pl-3 text-right font-mono text-xs tabular-nums">
              {format(row.value)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PerformanceTab({ scanId, showEvidence }: TabProps) {
  const performance = trpc.scan.findings.useQuery({ scanId, kind: "performance" });
  const thirdParties = trpc.scan.findings.useQuery({ scanId, kind: "third_party" });
  return (
    <Loaded query={performance} label="performance results">
      {(findings) => {
        const report = findings[0] ? detailsAs(PerformanceDetails, findings[0].details) : null;
        if (!report)
          return (
            <EmptyState title="No performance data yet">
              Page weight and requests are measured on the rendered pages.
            </EmptyState>
          );
        const bytesByType = new Map<string, number>();
        for (const page of report.pages)
          for (const [type, bytes] of Object.entries(page.bytesByType))
            bytesByType.set(type, (bytesByType.get(type) ?? 0) + bytes);
        const parties = (thirdParties.data ?? []).map((finding) => ({
          finding,
          details: detailsAs(ThirdPartyDetails, finding.details),
        }));
        const thirdPartyRequests = parties.reduce((sum, party) => sum + (party.details?.requests ?? 0), 0);
        const hosts = [
          {
            key: "first-party",
            label: "This site",
            value: Math.max(0, report.totalRequests - thirdPartyRequests),
            tone: "bg-primary",
          },
          ...parties.map((party) => ({
            key: party.finding.id,
            label: party.details?.host ?? party.finding.name,
            value: party.details?.requests ?? 0,
            tone: "bg-warning",
          })),
        ].sort((a, b) => b.value - a.value);
        return (
          <div className="flex flex-col gap-6">
            <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
              {[
                ["Total weight", formatBytes(report.totalBytes)],
                ["Requests", String(report.totalRequests)],
                ["Pages measured", String(report.pages.length)],
                ["Third parties", String(parties.length)],
              ].map(([label, value]) => (
                <Card key={label} className="flex flex-col gap-1 p-4">
                  <span className="text-xs text-muted-foreground">{label}</span>
                  <span className="text-xl font-semibold tabular-nums">{value}</span>
                </Card>
              ))}
            </div>
            <div className="grid gap-6 lg:grid-cols-2">
              <section className="flex flex-col gap-3">
                <SectionTitle>Page weight by type</SectionTitle>
                <Card className="p-5">
                  <BarChart
                    label="Page weight by resource type"
                    format={formatBytes}
                    rows={[...bytesByType.entries()]
                      .sort(([, a], [, b]) => b - a)
                      .map(([type, bytes]) => ({
                        key: type,
                        label: type,
                        value: bytes,
                        tone: TYPE_COLOURS[type] ?? "bg-muted-foreground",
                      }))}
                  />
                </Card>
              </section>
              <section className="flex flex-col gap-3">
                <SectionTitle>Requests by host</SectionTitle>
                <Card className="p-5">
                  <BarChart label="Requests by host" format={String} rows={hosts} />
                </Card>
              </section>
            </div>
            <section className="flex flex-col gap-3">
              <SectionTitle>Third parties</SectionTitle>
              {parties.length === 0 ? (
                <EmptyState title="No third parties" className="py-6">
                  The rendered pages loaded nothing from other sites.
                </EmptyState>
              ) : (
                <Card className="divide-y divide-border overflow-hidden">
                  {parties.map(({ finding, details }) => (
                    <div
                      key={finding.id}
                      className="flex flex-wrap items-center gap-x-4 gap-y-1 px-5 py-3 text-sm"
                    >
                      <span className="font-medium">{finding.name}</span>
                      <span className="font-mono text-xs text-muted-foreground">{details?.host}</span>
                      {finding.category ? (
                        <span className="text-xs text-muted-foreground">{finding.category}</span>
                      ) : null}
                      <span className="ml-auto text-xs text-muted-foreground tabular-nums">
                        {details?.requests ?? 0} requests · {formatBytes(details?.bytes ?? 0)}
                      </span>
                      <EvidenceLink
                        count={finding.evidenceIds.length}
                        onClick={() => showEvidence(finding.id)}
                      />
                    </div>
                  ))}
                </Card>
              )}
            </section>
            <section className="flex flex-col gap-3">
              <SectionTitle>Pages</SectionTitle>
              <Card className="overflow-x-auto">
                <table className="w-full text-sm">
                  <thead className="border-b border-border text-left text-xs text-muted-foreground">
                    <tr>
                      <th className="px-5 py-2 font-medium">Page</th>
                      <th className="px-3 py-2 text-right font-medium">Weight</th>
                      <th className="px-3 py-2 text-right font-medium">Requests</th>
                      <th className="px-3 py-2 text-right font-medium">TTFB</th>
                      <th className="px-5 py-2 text-right font-medium">Load</th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-border">
                    {report.pages.map((page) => (
                      <tr key={page.url}>
                        <td className="max-w-64 truncate px-5 py-2 font-mono text-xs">{pathOf(page.url)}</td>
                        <td className="px-3 py-2 text-right tabular-nums">{formatBytes(page.bytes)}</td>
                        <td className="px-3 py-2 text-right tabular-nums">{page.requests}</td>
                        <td className="px-3 py-2 text-right tabular-nums">
                          {page.ttfbMs === null ? "—" : formatDuration(page.ttfbMs)}
                        </td>
                        <td className="px-5 py-2 text-right tabular-nums">
                          {page.loadMs === null ? "—" : formatDuration(page.loadMs)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </Card>
            </section>
          </div>
        );
      }}
    </Loaded>
  );
}
