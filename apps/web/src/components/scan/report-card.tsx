"use client";

import Link from "next/link";
import { errorMessageOf } from "../../lib/api-error";
import { formatDateTime } from "../../lib/format";
import { trpc } from "../../lib/trpc";
import { ExportLinks } from "../report/export-links";
import { ReportStatusBadge } from "../report/status-badge";
import { isPending } from "../report/types";
import { buttonClasses } from "../ui/button";
import { Card, CardContent } from "../ui/card";
import { Skeleton } from "../ui/skeleton";

/** The scan's report: its state and version, with downloads through the tenant-checked export route. */
export function ReportCard({ scanId }: { scanId: string }) {
  const report = trpc.report.get.useQuery(
    { scanId },
    {
      retry: false,
      refetchInterval: (query) => (query.state.data && isPending(query.state.data.report) ? 3000 : false),
    },
  );
  if (report.isPending) return <Skeleton className="h-20 w-full" />;
  if (report.isError)
    return (
      <Card>
        <CardContent className="pt-5 pb-5 text-sm text-muted-foreground">
          Report: {errorMessageOf(report.error)}
        </CardContent>
      </Card>
    );
  const { report: state, version } = report.data;
  return (
    <Card data-testid="report-card">
      <CardContent className="flex flex-col gap-3 pt-5 pb-5 sm:flex-row sm:items-center sm:justify-between">
        <div className="flex flex-col gap-1">
          <p className="flex items-center gap-2 font-medium">
            Due-diligence report
            <ReportStatusBadge status={state.status} />
          </p>
          <p className="text-sm text-muted-foreground">
            {version
              ? `Version ${version.version} · ${formatDateTime(version.createdAt)} · ${version.claimsPublished} verified claims${version.claimsDropped ? `, ${version.claimsDropped} dropped` : ""}`
              : (state.error ?? "Being written from the evidence…")}
          </p>
        </div>
        {version ? (
          <div className="flex flex-wrap items-center gap-2">
            <Link href={`/scans/${scanId}/report`} className={buttonClasses("primary", "sm")}>
              Open report
            </Link>
            <ExportLinks reportId={state.id} version={version.version} />
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
