"use client";

import { describeRetry, SCAN_STEPS, type ScanStageValue } from "@techscaniq/contracts/scan";
import { cn } from "../../lib/cn";
import { formatDuration } from "../../lib/format";
import type { ScanView } from "./findings-summary";

export interface StageOutcome {
  durationMs?: number;
  evidence?: number;
}

type StageState = "done" | "active" | "pending" | "stopped";

function stateOf(
  scan: ScanView,
  index: number,
  outcomes: Partial<Record<ScanStageValue, StageOutcome>>,
): StageState {
  const stage = SCAN_STEPS[index]!;
  if (outcomes[stage.name] || scan.status === "succeeded") return "done";
  const current = scan.stage ? SCAN_STEPS.findIndex((entry) => entry.name === scan.stage) : -1;
  if (index < current) return "done";
  if (index === current) return scan.status === "running" || scan.status === "queued" ? "active" : "stopped";
  return "pending";
}

const markers: Record<StageState, string> = {
  done: "bg-success text-primary-foreground",
  active: "bg-primary text-primary-foreground",
  pending: "bg-muted text-muted-foreground ring-1 ring-border ring-inset",
  stopped: "bg-destructive text-primary-foreground",
};

/** The overall bar and the pipeline's stages with what each one found. */
export function ScanProgress({
  scan,
  outcomes,
  live,
}: {
  scan: ScanView;
  outcomes: Partial<Record<ScanStageValue, StageOutcome>>;
  live: boolean;
}) {
  const active = scan.status === "queued" || scan.status === "running";
  return (
    <div className="flex flex-col gap-5">
      <div className="flex flex-col gap-2">
        <div className="flex items-baseline justify-between gap-3 text-sm">
          <span className="font-medium">
            {active ? (scan.status === "queued" ? "Waiting for a worker…" : "Scanning…") : "Progress"}
          </span>
          <span className="flex items-center gap-2 text-muted-foreground">
            {active ? (
              <span
                className={cn(
                  "inline-flex items-center gap-1 text-xs",
                  live ? "text-success" : "text-muted-foreground",
                )}
                data-testid="live-indicator"
              >
                <span
                  aria-hidden
                  className={cn(
                    "size-1.5 rounded-full",
                    live ? "animate-pulse bg-success" : "bg-muted-foreground",
                  )}
                />
                {live ? "Live" : "Connecting"}
              </span>
            ) : null}
            <span className="font-semibold text-foreground tabular-nums" data-testid="scan-progress-value">
              {scan.progress}%
            </span>
          </span>
        </div>
        <div
          role="progressbar"
          aria-label="Scan progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={scan.progress}
          className="h-2.5 overflow-hidden rounded-full bg-muted"
        >
          <div
            className={cn(
              "h-full rounded-full transition-[width] duration-500",
              scan.status === "failed"
                ? "bg-destructive"
                : scan.status === "cancelled"
                  ? "bg-warning"
                  : scan.status === "succeeded"
                    ? "bg-success"
                    : "bg-primary",
            )}
            style={{ width: `${scan.progress}%` }}
          />
        </div>
      </div>
      {active && scan.retry ? (
        <p role="status" className="text-sm text-warning" data-testid="scan-retry">
          {describeRetry(scan.retry, (iso) => new Date(iso).toLocaleTimeString())}
        </p>
      ) : null}
      <ol className="grid gap-2 sm:grid-cols-2 lg:grid-cols-4" aria-label="Stages">
        {SCAN_STEPS.map((stage, index) => {
          const state = stateOf(scan, index, outcomes);
          const outcome = outcomes[stage.name];
          return (
            <li
              key={stage.name}
              className="flex items-center gap-2.5 text-sm"
              data-testid={`stage-${stage.name}`}
              data-state={state}
            >
              <span
                aria-hidden
                className={cn(
                  "grid size-6 shrink-0 place-items-center rounded-full text-xs font-semibold",
                  markers[state],
                )}
              >
                {state === "done" ? "✓" : state === "stopped" ? "!" : index + 1}
              </span>
              <span className="flex min-w-0 flex-col">
                <span
                  className={cn("truncate", state === "pending" ? "text-muted-foreground" : "font-medium")}
                >
                  {stage.label}
                </span>
                <span className="text-xs text-muted-foreground">
                  {state === "active" ? (
                    <span className="sr-only">in progress</span>
                  ) : outcome?.durationMs !== undefined ? (
                    `${formatDuration(outcome.durationMs)}${outcome.evidence !== undefined ? ` · ${outcome.evidence} evidence` : ""}`
                  ) : null}
                </span>
              </span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
