import { REPORT_FORMATS, ReportDocument, ReportModels, ScanDiff } from "@techscaniq/contracts/report";
import { z } from "zod";
import { pageOutput } from "../../schemas";

/** The report area's inputs and outputs: what the report router accepts and returns. */

const reportId = z.uuid({ error: "reportId must be a report id (uuid)" });
const scanId = (name: string) => z.uuid({ error: `${name} must be a scan id (uuid)` });
const version = z
  .number({ error: "version must be a whole number" })
  .int("version must be a whole number")
  .min(1, "version starts at 1")
  .max(100_000, "version is too large");

export const reportStatuses = ["queued", "generating", "ready", "failed"] as const;

/** A report by its id or by its scan's id (exactly one), optionally a given version (default: the latest). */
export const getReportInput = z
  .object({ reportId: reportId.optional(), scanId: scanId("scanId").optional(), version: version.optional() })
  .strict()
  .refine((input) => (input.reportId === undefined) !== (input.scanId === undefined), {
    message: "give reportId or scanId (exactly one)",
    path: ["reportId"],
  });

export const listReportsInput = z
  .object({
    limit: z
      .number({ error: "limit must be a number" })
      .int("limit must be a whole number")
      .min(1, "limit is at least 1")
      .max(100, "limit is at most 100")
      .default(20),
    cursor: z.string().max(200, "cursor is too long").optional(),
    status: z
      .enum(reportStatuses, { error: `status must be one of ${reportStatuses.join(", ")}` })
      .optional(),
  })
  .strict()
  .default({ limit: 20 });

export const reportRefInput = z.object({ reportId }).strict();

export const exportInput = z
  .object({
    reportId,
    format: z.enum(REPORT_FORMATS, { error: `format must be one of ${REPORT_FORMATS.join(", ")}` }),
    version: version.optional(),
  })
  .strict();

export const diffInput = z
  .object({ beforeScanId: scanId("beforeScanId"), afterScanId: scanId("afterScanId") })
  .strict()
  .refine((input) => input.beforeScanId !== input.afterScanId, {
    message: "afterScanId must differ from beforeScanId",
    path: ["afterScanId"],
  });

export const reportViewSchema = z.object({
  id: z.uuid(),
  scanId: z.uuid(),
  status: z.enum(reportStatuses),
  latestVersion: z.number(),
  requestedVersion: z.number(),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const reportPageSchema = pageOutput(reportViewSchema);

export const reportVersionSchema = z.object({
  version: z.number(),
  createdAt: z.string(),
  models: ReportModels,
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
  claimsPublished: z.number(),
  claimsDropped: z.number(),
  comparedScanId: z.uuid().nullable(),
});

/** A report with one version as the self-contained report document (null before the first version). */
export const reportWithDocumentSchema = z.object({
  report: reportViewSchema,
  version: reportVersionSchema.nullable(),
  document: ReportDocument.nullable(),
});

/** md, html and json inline as UTF-8 text, pdf as base64. */
export const reportExportSchema = z.object({
  format: z.enum(REPORT_FORMATS),
  version: z.number(),
  contentType: z.string(),
  fileName: z.string(),
  /** utf8 for md, html and json; base64 for pdf. */
  encoding: z.enum(["utf8", "base64"]),
  content: z.string(),
});

/** What changed between two scans of the same target. */
export const scanDiffSchema = ScanDiff;
