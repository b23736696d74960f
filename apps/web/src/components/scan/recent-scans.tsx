"use client";

import Link from "next/link";
import { errorMessageOf } from "../../lib/api-error";
import { formatDateTime, hostOf } from "../../lib/format";
import { trpc } from "../../lib/trpc";
import { Button } from "../ui/button";
import { SkeletonRows } from "../ui/skeleton";
import { EmptyState, ErrorState } from "../ui/states";
import { GradeBadge, SeverityBadge, StatusBadge } from "./badges";
import { summarise, type ScanView } from "./findings-summary";

/** Grade, stack and worst vulnerability of a finished scan. */
function ScanHighlights({ scanId }: { scanId: string }) {
  const findings = trpc.scan.findings.useQuery({ scanId });
  if (!findings.data) return <span className="h-5 w-40 animate-pulse rounded bg-muted" aria-hidden />;
  const summary = summarise(findings.data);
  return (
    <div className="flex min-w-0 flex-wrap items-center gap-2">
      {summary.grade ? <GradeBadge grade={summary.grade} size="sm" /> : null}
      {summary.technologies.slice(0, 4).map((name) => (
        <span key={name} className="rounded-md bg-muted px-1.5 py-0.5 text-xs text-foreground">
          {name}
        </span>
      ))}
      {summary.technologies.length > 4 ? (
        <span className="text-xs text-muted-foreground">+{summary.technologies.length - 4} more</span>
      ) : null}
      {summary.worstSeverity ? (
        <span className="inline-flex items-center gap-1 text-xs text-muted-foreground">
          <SeverityBadge severity={summary.worstSeverity} />
          {summary.vulnerabilityCount} vulnerable {summary.vulnerabilityCount === 1 ? "library" : "libraries"}
        </span>
      ) : null}
    </div>
  );
}

function ScanRow({ scan }: { scan: ScanView }) {
  const active = scan.status === "queued" || scan.status === "running";
  return (
    <li>
      <Link
        href={`/scans/${scan.id}`}
        className="flex flex-col gap-2 px-4 py-3 transition-colors hover:bg-muted/60 sm:px-5"
        data-testid="scan-row"
      >
        <div className="flex items-center gap-3">
          <span className="min-w-0 flex-1 truncate font-medium">{hostOf(scan.targetUrl)}</span>
          <StatusBadge status={scan.status} />
        </div>
        <div className="flex flex-col gap-2 text-sm text-muted-foreground sm:flex-row sm:items-center sm:justify-between">
          {scan.status === "succeeded" ? (
            <ScanHighlights scanId={scan.id} />
          ) : active ? (
            <div className="flex items-center gap-2">
              <div className="h-1.5 w-32 overflow-hidden rounded-full bg-muted">
                <div
                  className="h-full rounded-full bg-primary transition-all"
                  style={{ width: `${scan.progress}%` }}
                />
              </div>
              <span className="tabular-nums">{scan.progress}%</span>
              {scan.stage ? <span>· {scan.stage}</span> : null}
            </div>
          ) : (
            <span className="truncate">{scan.error?.message ?? "No results"}</span>
          )}
          <span className="shrink-0 text-xs">{formatDateTime(scan.createdAt)}</span>
        </div>
      </Link>
    </li>
  );
}

export function RecentScans() {
  const scans = trpc.scan.list.useQuery(
    { limit: 20 },
    // While something runs, keep the list moving; the scan page itself streams progress.
    {
      refetchInterval: (query) =>
        query.state.data?.items.some((scan) => scan.status === "queued" || scan.status === "running")
          ? 3000
          : false,
    },
  );
  if (scans.isPending) return <SkeletonRows rows={4} label="Loading scans" />;
  if (scans.isError)
    return (
      <ErrorState
        message={errorMessageOf(scans.error)}
        action={
          <Button variant="secondary" size="sm" onClick={() => void scans.refetch()}>
            Try again
          </Button>
        }
      />
    );
  if (scans.data.items.length === 0)
    return (
      <EmptyState title="No scans yet">
        Give TechScanIQ a company&apos;s website: it collects evidence of the technology stack, security
        posture and performance, and writes a report in which every claim cites its evidence.
      </EmptyState>
    );
  return (
    <ul
      className="divide-y divide-border overflow-hidden rounded-(--radius-card) border border-border bg-surface"
      aria-label="Recent scans"
    >
      {scans.data.items.map((scan) => (
        <ScanRow key={scan.id} scan={scan} />
      ))}
    </ul>
  );
}
