import { ReportDocument, REPORT_FORMATS, ScanDiff } from "@techscaniq/contracts/report";
import { z } from "zod";
import {
  diffInput,
  exportInput,
  getReportInput,
  listReportsInput,
  reportRefInput,
  reportStatuses,
} from "../domain/reports/input";
import {
  diffReportScans,
  exportReport,
  getReport,
  listReports,
  listVersions,
  regenerateReport,
} from "../domain/reports/service";
import { scanActorOf } from "../domain/scans/service";
import { requireRole, router, tenantProcedure } from "../trpc";

const reportSchema = z.object({
  id: z.uuid(),
  scanId: z.uuid(),
  status: z.enum(reportStatuses),
  latestVersion: z.number(),
  requestedVersion: z.number(),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const versionSchema = z.object({
  version: z.number(),
  createdAt: z.string(),
  models: z.array(z.object({ provider: z.string(), model: z.string(), tasks: z.array(z.string()) })),
  inputTokens: z.number(),
  outputTokens: z.number(),
  costUsd: z.number(),
  claimsPublished: z.number(),
  claimsDropped: z.number(),
  comparedScanId: z.uuid().nullable(),
});

export const reportRouter = router({
  /** The report (by id or scan) with its latest (or a given) version as the self-contained report document. */
  get: tenantProcedure
    .input(getReportInput)
    .output(
      z.object({
        report: reportSchema,
        version: versionSchema.nullable(),
        document: ReportDocument.nullable(),
      }),
    )
    .query(({ ctx, input }) => getReport(ctx.tx, scanActorOf(ctx), input)),

  list: tenantProcedure
    .input(listReportsInput)
    .output(z.object({ items: z.array(reportSchema), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => listReports(ctx.tx, scanActorOf(ctx), input)),

  versions: tenantProcedure
    .input(reportRefInput)
    .output(z.array(versionSchema))
    .query(({ ctx, input }) => listVersions(ctx.tx, scanActorOf(ctx), input.reportId)),

  /** Queues a new version (the worker writes it); versions already published stay as they are. */
  regenerate: tenantProcedure
    .use(requireRole("member"))
    .input(reportRefInput)
    .output(reportSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `report:${input.reportId}`;
      const limit = ctx.env.TECHSCANIQ_REPORT_REGENERATIONS_PER_HOUR;
      return regenerateReport(ctx.tx, scanActorOf(ctx), input.reportId, limit);
    }),

  /**
   * A version's export as stored by the worker: md, html and json inline as
   * UTF-8 text, pdf as base64 (reports are small; no separate download route).
   */
  export: tenantProcedure
    .input(exportInput)
    .output(
      z.object({
        format: z.enum(REPORT_FORMATS),
        version: z.number(),
        contentType: z.string(),
        fileName: z.string(),
        encoding: z.enum(["utf8", "base64"]),
        content: z.string(),
      }),
    )
    .query(({ ctx, input }) => exportReport(ctx.tx, scanActorOf(ctx), ctx.storage, input)),

  /** What changed between two finished scans of the same target. */
  diff: tenantProcedure
    .input(diffInput)
    .output(ScanDiff)
    .query(({ ctx, input }) => diffReportScans(ctx.tx, scanActorOf(ctx), input)),
});
