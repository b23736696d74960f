"use client";

import { errorMessageOf } from "../../lib/api-error";
import { formatDateTime } from "../../lib/format";
import { trpc } from "../../lib/trpc";
import { buttonClasses } from "../ui/button";
import { Badge } from "../ui/badge";
import { Card, CardContent } from "../ui/card";
import { Skeleton } from "../ui/skeleton";

const EXPORTS = [
  { format: "pdf", label: "PDF" },
  { format: "html", label: "HTML" },
  { format: "md", label: "Markdown" },
  { format: "json", label: "JSON" },
] as const;

/** The scan's report: its state and version, with downloads through the tenant-checked export route. */
export function ReportCard({ scanId }: { scanId: string }) {
  const report = trpc.report.get.useQuery(
    { scanId },
    { retry: false, refetchInterval: (query) => (query.state.data && query.state.data.report.status !== "ready" && query.state.data.report.status !== "failed" ? 3000 : false) },
  );
  if (report.isPending) return <Skeleton className="h-20 w-full" />;
  if (report.isError)
    return (
      <Card>
        <CardContent className="pt-5 pb-5 text-sm text-muted-foreground">Report: {errorMessageOf(report.error)}</CardContent>
      </Card>
    );
  const { report: state, version } = report.data;
  return (
    <Card data-testid="report-card">
      <CardContent className="flex flex-col gap-3 pt-5 pb-5 sm:flex-row sm:items-center sm:justify-between">
        <div className="flex flex-col gap-1">
          <p className="flex items-center gap-2 font-medium">
            Due-diligence report
            <Badge tone={state.status === "ready" ? "success" : state.status === "failed" ? "danger" : "info"}>{state.status}</Badge>
          </p>
          <p className="text-sm text-muted-foreground">
            {version
              ? `Version ${version.version} · ${formatDateTime(version.createdAt)} · ${version.claimsPublished} verified claims${version.claimsDropped ? `, ${version.claimsDropped} dropped` : ""}`
              : state.error ?? "Being written from the evidence…"}
          </p>
        </div>
        {version ? (
          <div className="flex flex-wrap gap-2" aria-label="Export the report">
            {EXPORTS.map((entry) => (
              <a key={entry.format} href={`/api/reports/${state.id}/export/${entry.format}?version=${version.version}`} className={buttonClasses("secondary", "sm")} download>
                {entry.label}
              </a>
            ))}
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
