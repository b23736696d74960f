/** The export formats, their content types, and where each version's export is stored (bucket `reports`). */
export const REPORT_FORMATS = ["json", "md", "html", "pdf"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  json: "application/json",
  md: "text/markdown; charset=utf-8",
  html: "text/html; charset=utf-8",
  pdf: "application/pdf",
};

/** `<tenant>/reports/<report>/v<version>/report.<format>`: tenant-prefixed like every stored object. */
export function reportExportPath(
  tenantId: string,
  reportId: string,
  version: number,
  format: ReportFormat,
): string {
  return `${tenantId}/reports/${reportId}/v${version}/report.${format}`;
}
