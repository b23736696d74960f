import type { RouterOutputs } from "@techscaniq/api/client";

export type ReportResult = RouterOutputs["report"]["get"];
export type ReportState = ReportResult["report"];
export type ReportVersion = NonNullable<ReportResult["version"]>;
export type ReportDocument = NonNullable<ReportResult["document"]>;
export type ReportSection = ReportDocument["sections"][number];
export type ReportClaim = ReportDocument["claims"][number];
export type ReportEvidence = ReportDocument["evidence"][number];
export type ReportScore = ReportDocument["scores"][number];
export type ScanChanges = NonNullable<ReportDocument["changes"]>;

/** A report still being written: the page keeps asking until it is ready or failed. */
export const isPending = (report: ReportState) =>
  report.status === "queued" || report.status === "generating";
