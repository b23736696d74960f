import {
  diffInput,
  exportInput,
  getReportInput,
  listReportsInput,
  reportExportSchema,
  reportPageSchema,
  reportRefInput,
  reportVersionSchema,
  reportViewSchema,
  reportWithDocumentSchema,
  scanDiffSchema,
} from "../domain/reports/reports.schemas";
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

export const reportRouter = router({
  /** The report (by id or scan) with its latest (or a given) version as the self-contained report document. */
  get: tenantProcedure
    .input(getReportInput)
    .output(reportWithDocumentSchema)
    .query(({ ctx, input }) => getReport(ctx.tx, scanActorOf(ctx), input)),

  list: tenantProcedure
    .input(listReportsInput)
    .output(reportPageSchema)
    .query(({ ctx, input }) => listReports(ctx.tx, scanActorOf(ctx), input)),

  versions: tenantProcedure
    .input(reportRefInput)
    .output(reportVersionSchema.array())
    .query(({ ctx, input }) => listVersions(ctx.tx, scanActorOf(ctx), input.reportId)),

  /** Queues a new version (the worker writes it); versions already published stay as they are. */
  regenerate: tenantProcedure
    .use(requireRole("member"))
    .input(reportRefInput)
    .output(reportViewSchema)
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
    .output(reportExportSchema)
    .query(({ ctx, input }) => exportReport(ctx.tx, scanActorOf(ctx), ctx.storage, input)),

  /** What changed between two finished scans of the same target. */
  diff: tenantProcedure
    .input(diffInput)
    .output(scanDiffSchema)
    .query(({ ctx, input }) => diffReportScans(ctx.tx, scanActorOf(ctx), input)),
});
