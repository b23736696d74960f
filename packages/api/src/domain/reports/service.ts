import {
  buildReportDocument,
  diffScans,
  REPORT_CONTENT_TYPES,
  reportExportPath,
  ScanDiff,
  type ReportContent,
  type ReportDocument,
  type ReportModels,
} from "@techscaniq/contracts/report";
import { scanInputFromStored, storedFindingFromRow } from "@techscaniq/contracts/scan";
import { emitEvent, sql, type Database, type Selectable, type Transaction } from "@techscaniq/db";
import type { ObjectStorage } from "@techscaniq/db/storage";
import type { z } from "zod";
import { DomainError } from "../../errors";
import { afterCursor, keysetPage } from "../keyset";
import { enforceHourlyTenantLimit } from "../tenant-rate";
import { findScan, type ScanActor } from "../scans/service";
import type {
  diffInput,
  exportInput,
  getReportInput,
  listReportsInput,
  reportExportSchema,
  reportVersionSchema,
  reportViewSchema,
} from "./reports.schemas";

type Tx = Transaction<Database>;
type ReportRow = Selectable<Database["reports"]>;
type VersionRow = Selectable<Database["report_versions"]>;

export type ReportView = z.output<typeof reportViewSchema>;
export type ReportVersionSummary = z.output<typeof reportVersionSchema>;

export const toReportView = (row: ReportRow): ReportView => ({
  id: row.id,
  scanId: row.scan_id,
  status: row.status,
  latestVersion: row.latest_version,
  requestedVersion: row.requested_version,
  error: row.error_message,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const toVersionSummary = (row: VersionRow): ReportVersionSummary => ({
  version: row.version,
  createdAt: row.created_at.toISOString(),
  models: row.models as ReportModels,
  inputTokens: row.input_tokens,
  outputTokens: row.output_tokens,
  costUsd: Number(row.cost_usd),
  claimsPublished: row.claims_published,
  claimsDropped: row.claims_dropped,
  comparedScanId: row.compared_scan_id,
});

/** The report by id or by its scan, through RLS: another tenant's report is simply not found. */
async function findReport(
  tx: Tx,
  actor: ScanActor,
  ref: { reportId?: string | undefined; scanId?: string | undefined },
): Promise<ReportRow> {
  let query = tx.selectFrom("reports").selectAll().where("tenant_id", "=", actor.tenantId);
  if (ref.reportId) query = query.where("id", "=", ref.reportId);
  if (ref.scanId) query = query.where("scan_id", "=", ref.scanId);
  const report = await query.executeTakeFirst();
  if (!report)
    throw new DomainError(
      "NOT_FOUND",
      ref.reportId
        ? `Report ${ref.reportId} was not found in this tenant`
        : `Scan ${ref.scanId} has no report in this tenant`,
    );
  return report;
}

async function findVersion(tx: Tx, report: ReportRow, version: number | undefined): Promise<VersionRow> {
  const wanted = version ?? report.latest_version;
  if (wanted === 0)
    throw new DomainError(
      "PRECONDITION_FAILED",
      `Report ${report.id} has no version yet (status ${report.status}); try again when it is ready`,
    );
  const row = await tx
    .selectFrom("report_versions")
    .selectAll()
    .where("report_id", "=", report.id)
    .where("version", "=", wanted)
    .executeTakeFirst();
  if (!row)
    throw new DomainError(
      "NOT_FOUND",
      `version: report ${report.id} has no version ${wanted} (latest is ${report.latest_version})`,
      { version: [`no version ${wanted}`] },
    );
  return row;
}

const documentOf = (report: ReportRow, row: VersionRow): ReportDocument =>
  // buildReportDocument validates the stored content against ReportContent.
  buildReportDocument(row.content as ReportContent, {
    reportId: report.id,
    version: row.version,
    changes: row.scan_diff === null ? null : ScanDiff.parse(row.scan_diff),
  });

export async function getReport(tx: Tx, actor: ScanActor, input: z.output<typeof getReportInput>) {
  const report = await findReport(tx, actor, input);
  if (report.latest_version === 0 && input.version === undefined)
    return { report: toReportView(report), version: null, document: null };
  const row = await findVersion(tx, report, input.version);
  return { report: toReportView(report), version: toVersionSummary(row), document: documentOf(report, row) };
}

export async function listReports(tx: Tx, actor: ScanActor, input: z.output<typeof listReportsInput>) {
  let query = tx
    .selectFrom("reports")
    .selectAll()
    .where("tenant_id", "=", actor.tenantId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(input.limit + 1);
  if (input.status) query = query.where("status", "=", input.status);
  if (input.cursor) query = query.where(afterCursor(input.cursor, "report.list"));
  return keysetPage(await query.execute(), input.limit, toReportView);
}

export async function listVersions(
  tx: Tx,
  actor: ScanActor,
  reportId: string,
): Promise<ReportVersionSummary[]> {
  const report = await findReport(tx, actor, { reportId });
  const rows = await tx
    .selectFrom("report_versions")
    .selectAll()
    .where("report_id", "=", report.id)
    .orderBy("version", "desc")
    .execute();
  return rows.map(toVersionSummary);
}

/** What a regeneration request leaves behind (and the hourly limit counts). */
const REGENERATE_EVENT = "report.regenerate_requested";

/**
 * Asks for the next version and queues report.generate in this transaction (private.queue_report checks
 * the caller may write), within the tenant's hourly limit: each regeneration spends AI tokens.
 */
export async function regenerateReport(
  tx: Tx,
  actor: ScanActor,
  reportId: string,
  regenerationsPerHour: number,
): Promise<ReportView> {
  const report = await findReport(tx, actor, { reportId });
  await enforceHourlyTenantLimit(tx, {
    tenantId: actor.tenantId,
    action: "regenerate reports",
    limit: regenerationsPerHour,
    countSince: async (since) => {
      const row = await tx
        .selectFrom("events")
        .select((eb) => eb.fn.countAll<string>().as("count"))
        .where("tenant_id", "=", actor.tenantId)
        .where("type", "=", REGENERATE_EVENT)
        .where("created_at", ">", since)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
  });
  await sql`select private.queue_report(${report.scan_id}::uuid)`.execute(tx);
  await emitEvent(tx, {
    type: REGENERATE_EVENT,
    tenantId: actor.tenantId,
    userId: actor.userId,
    subject: report.id,
    data: { reportId: report.id, scanId: report.scan_id },
  });
  return toReportView(await findReport(tx, actor, { reportId }));
}

export type ReportExport = z.output<typeof reportExportSchema>;

/**
 * A stored export of a version. The worker renders all four formats when it
 * publishes a version (Chromium never runs in a web request); the caller's
 * access is checked through RLS on the report before storage is touched.
 */
export async function exportReport(
  tx: Tx,
  actor: ScanActor,
  storage: ObjectStorage,
  input: z.output<typeof exportInput>,
): Promise<ReportExport> {
  const report = await findReport(tx, actor, { reportId: input.reportId });
  const row = await findVersion(tx, report, input.version);
  const object = await storage.get({
    bucket: "reports",
    path: reportExportPath(report.tenant_id, report.id, row.version, input.format),
  });
  if (!object)
    throw new DomainError(
      "PRECONDITION_FAILED",
      `The ${input.format} export of version ${row.version} is not stored yet; the worker writes it right after the version — try again shortly`,
    );
  const binary = input.format === "pdf";
  return {
    format: input.format,
    version: row.version,
    contentType: REPORT_CONTENT_TYPES[input.format],
    fileName: `techscaniq-report-${report.scan_id}-v${row.version}.${input.format}`,
    encoding: binary ? "base64" : "utf8",
    content: Buffer.from(object.body).toString(binary ? "base64" : "utf8"),
  };
}

/** A scan read through RLS as the diff needs it (no evidence: a diff compares findings). */
async function storedScan(tx: Tx, actor: ScanActor, scanId: string) {
  const scan = await findScan(tx, actor, scanId);
  if (scan.status !== "succeeded")
    throw new DomainError(
      "PRECONDITION_FAILED",
      `Scan ${scanId} has not succeeded (status ${scan.status}); only finished scans can be compared`,
    );
  const [findings, security] = await Promise.all([
    tx.selectFrom("findings").selectAll().where("scan_id", "=", scanId).execute(),
    tx
      .selectFrom("scan_stage_results")
      .select("output")
      .where("scan_id", "=", scanId)
      .where("stage", "=", "security")
      .executeTakeFirst(),
  ]);
  return {
    row: scan,
    input: scanInputFromStored({
      targetUrl: scan.target_url,
      findings: findings.map(storedFindingFromRow),
      evidence: [],
      securityCheckpoint: security?.output ?? null,
    }),
  };
}

const sameTarget = (a: string, b: string) => {
  const origin = (url: string) => new URL(url).host.replace(/^www\./, "");
  return origin(a) === origin(b);
};

/** Two scans of the same target (same host, or one re-scans the other): what changed from `before` to `after`. */
export async function diffReportScans(
  tx: Tx,
  actor: ScanActor,
  input: z.output<typeof diffInput>,
): Promise<ScanDiff> {
  const before = await storedScan(tx, actor, input.beforeScanId);
  const after = await storedScan(tx, actor, input.afterScanId);
  const related = after.row.parent_scan_id === before.row.id || before.row.parent_scan_id === after.row.id;
  if (!related && !sameTarget(before.row.target_url, after.row.target_url))
    throw new DomainError(
      "BAD_REQUEST",
      `afterScanId: scans of different targets cannot be compared (${before.row.target_url} vs ${after.row.target_url})`,
      { afterScanId: ["scans a different target"] },
    );
  return diffScans(
    { scanId: before.row.id, scan: before.input },
    { scanId: after.row.id, scan: after.input },
  );
}
