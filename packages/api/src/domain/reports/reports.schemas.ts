import { REPORT_FORMATS } from "@techscaniq/contracts/report";
import { z } from "zod";

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
