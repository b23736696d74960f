"use client";

import { SCAN_STEPS, type ScanStageValue } from "@techscaniq/contracts/scan";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { errorMessageOf } from "../../lib/api-error";
import { formatDateTime, hostOf } from "../../lib/format";
import { trpc } from "../../lib/trpc";
import { Button } from "../ui/button";
import { Card, CardContent } from "../ui/card";
import { ErrorState } from "../ui/states";
import { StatusBadge } from "./badges";
import type { ScanView } from "./findings-summary";
import { ReportCard } from "./report-card";
import { ScanProgress, type StageOutcome } from "./scan-progress";
import { ScanTabs, TAB_IDS, type TabId } from "./scan-tabs";

const isActive = (scan: ScanView) => scan.status === "queued" || scan.status === "running";
const TERMINAL = new Set(["scan.completed", "scan.failed", "scan.cancelled", "scan.deleted"]);

const numberOrUndefined = (value: unknown) => (typeof value === "number" ? value : undefined);

/** The scan as it runs (progress streamed over SSE) and, once finished, its results. */
export function ScanWorkspace({ initialScan, canWrite }: { initialScan: ScanView; canWrite: boolean }) {
  const scanId = initialScan.id;
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const utils = trpc.useUtils();
  const scanQuery = trpc.scan.get.useQuery({ scanId }, { initialData: initialScan, staleTime: 0 });
  const scan = scanQuery.data;
  const [outcomes, setOutcomes] = useState<Partial<Record<ScanStageValue, StageOutcome>>>({});

  const subscription = trpc.scan.progress.useSubscription(
    { scanId },
    {
      enabled: isActive(scan),
      onData: (tracked) => {
        const event = tracked.data;
        const data = event.data;
        if (
          event.type === "scan.stage_completed" &&
          typeof data.stage === "string" &&
          SCAN_STEPS.some((stage) => stage.name === data.stage)
        ) {
          setOutcomes((previous) => ({
            ...previous,
            [data.stage as ScanStageValue]: {
              durationMs: numberOrUndefined(data.durationMs),
              evidence: numberOrUndefined(data.evidence),
            },
          }));
        }
        // A retry's wait (and its end) is on the stored row: scan.get shows "retrying (2/3): …".
        if (event.type === "scan.retrying" || event.type === "scan.stage_completed") {
          void utils.scan.get.invalidate({ scanId });
        }
        if (TERMINAL.has(event.type)) {
          // The stored row is the truth (a replayed event may be from an earlier attempt).
          void utils.scan.get.invalidate({ scanId });
          void utils.scan.findings.invalidate({ scanId });
          void utils.scan.pages.invalidate({ scanId });
          return;
        }
        utils.scan.get.setData({ scanId }, (current) =>
          current
            ? {
                ...current,
                status: (data.status as ScanView["status"] | undefined) ?? current.status,
                stage: (data.stage as ScanView["stage"] | undefined) ?? current.stage,
                progress: numberOrUndefined(data.progress) ?? current.progress,
              }
            : current,
        );
      },
    },
  );

  const onChanged = (updated: ScanView) => {
    utils.scan.get.setData({ scanId }, updated);
    void utils.scan.list.invalidate();
  };
  const cancel = trpc.scan.cancel.useMutation({ onSuccess: onChanged });
  const retry = trpc.scan.retry.useMutation({
    onSuccess: (updated) => {
      setOutcomes({});
      onChanged(updated);
    },
  });
  const rescan = trpc.scan.rescan.useMutation({
    onSuccess: (created) => router.push(`/scans/${created.id}`),
  });
  const actionError = cancel.error ?? retry.error ?? rescan.error;

  const requestedTab = searchParams.get("tab");
  const tab: TabId = TAB_IDS.includes(requestedTab as TabId) ? (requestedTab as TabId) : "technologies";
  const selectTab = (next: TabId, extra: Record<string, string> = {}) => {
    const params = new URLSearchParams({ tab: next, ...extra });
    router.replace(`${pathname}?${params.toString()}`, { scroll: false });
  };

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start sm:justify-between">
        <div className="flex min-w-0 flex-col gap-1">
          <Link href="/" className="text-sm text-muted-foreground hover:text-foreground">
            ← All scans
          </Link>
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="truncate text-2xl font-semibold tracking-tight" data-testid="scan-title">
              {hostOf(scan.targetUrl)}
            </h1>
            <StatusBadge status={scan.status} />
          </div>
          <p className="truncate text-sm text-muted-foreground">
            <span className="font-mono">{scan.targetUrl}</span> · started {formatDateTime(scan.createdAt)}
          </p>
        </div>
        {canWrite ? (
          <div className="flex shrink-0 flex-wrap gap-2">
            {isActive(scan) ? (
              <Button
                variant="secondary"
                onClick={() => cancel.mutate({ scanId })}
                pending={cancel.isPending}
                disabled={Boolean(scan.cancelRequestedAt)}
              >
                {scan.cancelRequestedAt ? "Cancelling…" : "Cancel scan"}
              </Button>
            ) : null}
            {scan.status === "failed" || scan.status === "cancelled" ? (
              <Button variant="secondary" onClick={() => retry.mutate({ scanId })} pending={retry.isPending}>
                Retry
              </Button>
            ) : null}
            {scan.status === "succeeded" ? (
              <Button
                variant="secondary"
                onClick={() => rescan.mutate({ scanId })}
                pending={rescan.isPending}
              >
                Re-scan
              </Button>
            ) : null}
          </div>
        ) : null}
      </div>

      {actionError ? <ErrorState title="That did not work" message={errorMessageOf(actionError)} /> : null}
      {scan.error && !isActive(scan) ? (
        <ErrorState
          title={scan.status === "cancelled" ? "Scan cancelled" : "Scan failed"}
          message={scan.error.message}
        />
      ) : null}
      {subscription.status === "error" && isActive(scan) ? (
        <ErrorState title="Live progress is interrupted" message={errorMessageOf(subscription.error)} />
      ) : null}

      <Card>
        <CardContent className="pt-6">
          <ScanProgress scan={scan} outcomes={outcomes} live={subscription.status === "pending"} />
        </CardContent>
      </Card>

      {scan.thesis ? (
        <Card>
          <CardContent className="flex flex-col gap-1 pt-5 pb-5">
            <p className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">Thesis</p>
            <p className="text-sm whitespace-pre-line">{scan.thesis}</p>
          </CardContent>
        </Card>
      ) : null}

      {scan.status === "succeeded" ? <ReportCard scanId={scanId} /> : null}

      {scan.status === "queued" ? null : (
        <ScanTabs
          scanId={scanId}
          tab={tab}
          onSelect={selectTab}
          filters={searchParams}
          finished={!isActive(scan)}
        />
      )}
    </div>
  );
}
