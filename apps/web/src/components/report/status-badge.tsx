import { Badge, type BadgeTone } from "../ui/badge";
import type { ReportState } from "./types";

const tone: Record<ReportState["status"], BadgeTone> = {
  queued: "neutral",
  generating: "info",
  ready: "success",
  failed: "danger",
};
const label: Record<ReportState["status"], string> = {
  queued: "Queued",
  generating: "Writing",
  ready: "Ready",
  failed: "Failed",
};

export function ReportStatusBadge({ status }: { status: ReportState["status"] }) {
  return (
    <Badge tone={tone[status]} data-testid="report-status">
      {status === "generating" ? (
        <span aria-hidden className="size-1.5 animate-pulse rounded-full bg-current" />
      ) : null}
      {label[status]}
    </Badge>
  );
}
