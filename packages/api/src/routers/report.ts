import { ReportDocument, REPORT_FORMATS, ScanDiff } from "@techscaniq/ai/render";
import { createObjectStorage, type ObjectStorage } from "@techscaniq/db/storage";
import { z } from "zod";
import { diffInput, exportInput, getReportInput, listReportsInput, reportRefInput, reportStatuses } from "../domain/reports/input";
import { diffReportScans, exportReport, getReport, listReports, listVersions, regenerateReport } from "../domain/reports/service";
import type { ScanActor } from "../domain/scans/service";
import { loadApiEnv } from "../env";
import { requireRole, router, tenantProcedure } from "../trpc";

let storage: ObjectStorage | undefined;
/** Where the worker stored the exports: Supabase Storage when configured, else the local data directory. */
function reportStorage(): ObjectStorage {
  if (!storage) {
    const env = loadApiEnv();
    storage = createObjectStorage({
      dataDir: env.TECHSCANIQ_DATA_DIR,
      supabase: env.SUPABASE_URL && env.SUPABASE_SERVICE_ROLE_KEY ? { url: env.SUPABASE_URL, serviceRoleKey: env.SUPABASE_SERVICE_ROLE_KEY } : undefined,
    });
  }
  return storage;
}

const actorOf = (ctx: { tenant: { id: string }; subject: { userId: string | null } }): ScanActor => ({ tenantId: ctx.tenant.id, userId: ctx.subject.userId });

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
    .output(z.object({ report: reportSchema, version: versionSchema.nullable(), document: ReportDocument.nullable() }))
    .query(({ ctx, input }) => getReport(ctx.tx, actorOf(ctx), input)),

  list: tenantProcedure
    .input(listReportsInput)
    .output(z.object({ items: z.array(reportSchema), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => listReports(ctx.tx, actorOf(ctx), input)),

  versions: tenantProcedure
    .input(reportRefInput)
    .output(z.array(versionSchema))
    .query(({ ctx, input }) => listVersions(ctx.tx, actorOf(ctx), input.reportId)),

  /** Queues a new version (the worker writes it); versions already published stay as they are. */
  regenerate: tenantProcedure
    .use(requireRole("member"))
    .input(reportRefInput)
    .output(reportSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `report:${input.reportId}`;
      return regenerateReport(ctx.tx, actorOf(ctx), input.reportId);
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
    .query(({ ctx, input }) => exportReport(ctx.tx, actorOf(ctx), reportStorage(), input)),

  /** What changed between two finished scans of the same target. */
  diff: tenantProcedure
    .input(diffInput)
    .output(ScanDiff)
    .query(({ ctx, input }) => diffReportScans(ctx.tx, actorOf(ctx), input)),
});
