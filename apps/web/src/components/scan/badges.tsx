import type { RouterOutputs } from "@techscaniq/api/client";
import type { FindingSeverity as Severity } from "@techscaniq/contracts/scan";
import { Badge, type BadgeTone } from "../ui/badge";
import { cn } from "../../lib/cn";

export type ScanStatus = RouterOutputs["scan"]["get"]["status"];
export type { FindingSeverity as Severity } from "@techscaniq/contracts/scan";

const statusTone: Record<ScanStatus, BadgeTone> = {
  queued: "neutral",
  running: "info",
  succeeded: "success",
  failed: "danger",
  cancelled: "warning",
};

const statusLabel: Record<ScanStatus, string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

export function StatusBadge({ status }: { status: ScanStatus }) {
  return (
    <Badge tone={statusTone[status]} data-testid="scan-status">
      {status === "running" ? (
        <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-current" />
      ) : null}
      {statusLabel[status]}
    </Badge>
  );
}

const severityTone: Record<Severity, BadgeTone> = {
  info: "neutral",
  low: "info",
  medium: "warning",
  high: "danger",
  critical: "critical",
};

export const severityRank: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <Badge tone={severityTone[severity]}>
      {severity === "info" ? "Info" : severity[0]!.toUpperCase() + severity.slice(1)}
    </Badge>
  );
}

/** Observatory letter grade (A+ … F) as a coloured tile: green A/B, amber C, red D/F. */
export function GradeBadge({
  grade,
  size = "md",
  className,
}: {
  grade: string;
  size?: "sm" | "md" | "lg";
  className?: string;
}) {
  const letter = grade.charAt(0).toUpperCase();
  const tone =
    letter === "A" || letter === "B"
      ? "bg-success-soft text-success ring-success/30"
      : letter === "C"
        ? "bg-warning-soft text-warning ring-warning/30"
        : "bg-destructive-soft text-destructive ring-destructive/30";
  const sizes = {
    sm: "h-6 min-w-6 text-xs px-1",
    md: "h-9 min-w-9 text-base px-1.5",
    lg: "h-16 min-w-16 text-3xl px-2",
  } as const;
  return (
    <span
      className={cn(
        "inline-grid place-items-center rounded-lg font-bold tabular-nums ring-1 ring-inset",
        tone,
        sizes[size],
        className,
      )}
      aria-label={`Security grade ${grade}`}
      data-testid="security-grade"
    >
      {grade}
    </span>
  );
}
