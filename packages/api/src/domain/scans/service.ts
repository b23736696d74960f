import { emitEvent, sql, type Database, type Selectable, type Transaction } from "@techscaniq/db";
import type { ObjectRef, ObjectStorage } from "@techscaniq/db/storage";
import { isFinishedScan, SCAN_STAGES, storedEvidenceFromRow } from "@techscaniq/contracts/scan";
import type { z } from "zod";
import { DomainError } from "../../errors";
import { scanTaskName } from "@techscaniq/contracts/tasks";
import { enforceHourlyTenantLimit } from "../tenant-rate";
import { afterCursor, keysetPage } from "../keyset";
import {
  type createScanInput,
  type listEvidenceInput,
  type listFindingsInput,
  type listScansInput,
  type ScanOptions,
  type scanViewSchema,
} from "./scans.schemas";

type Tx = Transaction<Database>;
type ScanRow = Selectable<Database["scans"]>;

/** Who acts, in which tenant: the resolved tenantProcedure context. */
export interface ScanActor {
  tenantId: string;
  userId: string | null;
}

/** The acting tenant and user of a tenant procedure's context. */
export const scanActorOf = (ctx: {
  tenant: { id: string };
  subject: { userId: string | null };
}): ScanActor => ({
  tenantId: ctx.tenant.id,
  userId: ctx.subject.userId,
});

/** The first pipeline stage; the worker chains the rest. */
export const FIRST_SCAN_TASK = scanTaskName(SCAN_STAGES[0]);

export type ScanView = z.output<typeof scanViewSchema>;

export function toScanView(row: ScanRow): ScanView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    createdBy: row.created_by,
    targetUrl: row.target_url,
    thesis: row.thesis,
    repositories: row.repositories,
    options: row.options as unknown as ScanOptions,
    status: row.status,
    stage: row.stage,
    progress: row.progress,
    error: row.error_code && row.error_message ? { code: row.error_code, message: row.error_message } : null,
    attempts: row.attempts,
    // The columns are set and cleared together (scans_retry_complete).
    retry:
      row.retry_attempt !== null &&
      row.retry_max_attempts !== null &&
      row.retry_reason !== null &&
      row.retry_at !== null
        ? {
            attempt: row.retry_attempt,
            maxAttempts: row.retry_max_attempts,
            reason: row.retry_reason,
            nextTryAt: row.retry_at.toISOString(),
          }
        : null,
    parentScanId: row.parent_scan_id,
    cancelRequestedAt: row.cancel_requested_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

/** Queues a scan task under job key scan:<id>, in the caller's transaction (so a rollback un-queues it). */
async function enqueue(tx: Tx, scanId: string, task: string): Promise<void> {
  await sql`select private.enqueue_scan_job(${scanId}::uuid, ${task})`.execute(tx);
}

async function event(
  tx: Tx,
  actor: ScanActor,
  type: string,
  scan: ScanRow,
  data: Record<string, unknown> = {},
) {
  await emitEvent(tx, {
    type,
    tenantId: scan.tenant_id,
    userId: actor.userId,
    subject: scan.id,
    data: { scanId: scan.id, status: scan.status, stage: scan.stage, progress: scan.progress, ...data },
  });
}

/** Inserts the scan, its `scan.queued` event and its first job in one transaction, within the tenant's hourly limit. */
export async function createScan(
  tx: Tx,
  actor: ScanActor,
  input: z.output<typeof createScanInput>,
  scansPerHour: number,
  parentScanId: string | null = null,
): Promise<ScanView> {
  await enforceHourlyTenantLimit(tx, {
    tenantId: actor.tenantId,
    action: "start scans",
    limit: scansPerHour,
    countSince: async (since) => {
      const row = await tx
        .selectFrom("scans")
        .select((eb) => eb.fn.countAll<string>().as("count"))
        .where("tenant_id", "=", actor.tenantId)
        .where("created_at", ">", since)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },
  });
  const scan = await tx
    .insertInto("scans")
    .values({
      tenant_id: actor.tenantId,
      created_by: actor.userId,
      target_url: input.url,
      thesis: input.thesis ?? null,
      repositories: input.repositories,
      options: JSON.stringify(input.options),
      parent_scan_id: parentScanId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await event(tx, actor, "scan.queued", scan, { targetUrl: scan.target_url });
  await enqueue(tx, scan.id, FIRST_SCAN_TASK);
  return toScanView(scan);
}

/** The scan, as RLS lets the caller see it; NOT_FOUND for another tenant's scan. */
export async function findScan(
  tx: Tx,
  actor: ScanActor,
  scanId: string,
  { forUpdate = false } = {},
): Promise<ScanRow> {
  let query = tx
    .selectFrom("scans")
    .selectAll()
    .where("id", "=", scanId)
    .where("tenant_id", "=", actor.tenantId);
  if (forUpdate) query = query.forUpdate();
  const scan = await query.executeTakeFirst();
  if (!scan) throw new DomainError("NOT_FOUND", `Scan ${scanId} was not found in this tenant`);
  return scan;
}

export async function listScans(tx: Tx, actor: ScanActor, input: z.output<typeof listScansInput>) {
  let query = tx
    .selectFrom("scans")
    .selectAll()
    .where("tenant_id", "=", actor.tenantId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(input.limit + 1);
  if (input.status) query = query.where("status", "in", input.status);
  if (input.search) {
    const pattern = `%${input.search.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    query = query.where((eb) => eb.or([eb("target_url", "ilike", pattern), eb("thesis", "ilike", pattern)]));
  }
  if (input.cursor) query = query.where(afterCursor(input.cursor, "scan.list"));
  return keysetPage(await query.execute(), input.limit, toScanView);
}

/**
 * A queued scan is cancelled at once (its job removed); a running one is
 * flagged and the worker stops it at the next stage boundary, closing the
 * browser immediately.
 */
export async function cancelScan(tx: Tx, actor: ScanActor, scanId: string): Promise<ScanView> {
  const scan = await findScan(tx, actor, scanId, { forUpdate: true });
  if (isFinishedScan(scan.status)) {
    throw new DomainError(
      "CONFLICT",
      `Scan ${scanId} has already ${scan.status === "cancelled" ? "been cancelled" : scan.status}`,
    );
  }
  if (scan.status === "queued") {
    const cancelled = await tx
      .updateTable("scans")
      .set({
        status: "cancelled",
        cancel_requested_at: new Date(),
        finished_at: new Date(),
        error_code: null,
        error_message: null,
      })
      .where("id", "=", scanId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await event(tx, actor, "scan.cancelled", cancelled);
    return toScanView(cancelled);
  }
  const flagged = await tx
    .updateTable("scans")
    .set({ cancel_requested_at: scan.cancel_requested_at ?? new Date() })
    .where("id", "=", scanId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await event(tx, actor, "scan.cancel_requested", flagged);
  return toScanView(flagged);
}

/** Runs a failed or cancelled scan again from its last finished stage (checkpoints are kept). */
export async function retryScan(tx: Tx, actor: ScanActor, scanId: string): Promise<ScanView> {
  const scan = await findScan(tx, actor, scanId, { forUpdate: true });
  if (scan.status !== "failed" && scan.status !== "cancelled") {
    throw new DomainError(
      "CONFLICT",
      `Only a failed or cancelled scan can be retried; scan ${scanId} is ${scan.status}`,
    );
  }
  const queued = await tx
    .updateTable("scans")
    .set({
      status: "queued",
      error_code: null,
      error_message: null,
      cancel_requested_at: null,
      finished_at: null,
    })
    .where("id", "=", scanId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await event(tx, actor, "scan.queued", queued, { retry: true });
  // The crawl task skips every checkpointed stage and continues with the first unfinished one.
  await enqueue(tx, scanId, FIRST_SCAN_TASK);
  return toScanView(queued);
}

/** A new scan of the same target and settings, linked to its parent for comparison. */
export async function rescan(
  tx: Tx,
  actor: ScanActor,
  scanId: string,
  scansPerHour: number,
): Promise<ScanView> {
  const parent = await findScan(tx, actor, scanId);
  return createScan(
    tx,
    actor,
    {
      url: parent.target_url,
      thesis: parent.thesis,
      repositories: parent.repositories,
      options: parent.options as unknown as ScanOptions,
    },
    scansPerHour,
    parent.id,
  );
}

/**
 * Deletes the scan (pages, evidence, findings and checkpoints cascade) and
 * then its stored objects. A running scan must be cancelled first, so no
 * worker writes into a deleted scan.
 */
export async function deleteScan(
  tx: Tx,
  actor: ScanActor,
  scanId: string,
): Promise<{ objectRefs: ObjectRef[] }> {
  const scan = await findScan(tx, actor, scanId, { forUpdate: true });
  if (scan.status === "running" || scan.status === "queued") {
    throw new DomainError("CONFLICT", `Scan ${scanId} is ${scan.status}; cancel it before deleting it`);
  }
  const pages = await tx
    .selectFrom("scan_pages")
    .select("screenshot_path")
    .where("scan_id", "=", scanId)
    .execute();
  await tx.deleteFrom("scans").where("id", "=", scanId).execute();
  await event(tx, actor, "scan.deleted", scan);
  const objectRefs: ObjectRef[] = pages.flatMap((page) =>
    page.screenshot_path ? [{ bucket: "screenshots" as const, path: page.screenshot_path }] : [],
  );
  return { objectRefs };
}

/** Removes a deleted scan's objects: its screenshots and everything under its artifacts prefix. */
export async function deleteScanObjects(
  storage: ObjectStorage,
  tenantId: string,
  scanId: string,
  refs: readonly ObjectRef[],
) {
  const artifacts = await storage.list("artifacts", `${tenantId}/scans/${scanId}/`);
  const screenshots = await storage.list("screenshots", `${tenantId}/scans/${scanId}/`);
  await storage.delete([...refs, ...artifacts, ...screenshots]);
}

export async function listFindings(tx: Tx, actor: ScanActor, input: z.output<typeof listFindingsInput>) {
  await findScan(tx, actor, input.scanId);
  let query = tx
    .selectFrom("findings")
    .select([
      "id",
      "kind",
      "name",
      "version",
      "category",
      "confidence",
      "severity",
      "evidence_ids",
      "details",
    ])
    .where("scan_id", "=", input.scanId)
    .orderBy("kind")
    .orderBy("name");
  if (input.kind) query = query.where("kind", "=", input.kind);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    name: row.name,
    version: row.version,
    category: row.category,
    confidence: row.confidence,
    severity: row.severity,
    evidenceIds: row.evidence_ids,
    details: row.details,
  }));
}

export async function listEvidence(tx: Tx, actor: ScanActor, input: z.output<typeof listEvidenceInput>) {
  await findScan(tx, actor, input.scanId);
  let query = tx
    .selectFrom("evidence_items")
    .selectAll()
    .where("scan_id", "=", input.scanId)
    .orderBy("evidence_id")
    .limit(input.limit + 1);
  if (input.findingId) {
    const finding = await tx
      .selectFrom("findings")
      .select("evidence_ids")
      .where("id", "=", input.findingId)
      .where("scan_id", "=", input.scanId)
      .executeTakeFirst();
    if (!finding)
      throw new DomainError("NOT_FOUND", `Finding ${input.findingId} was not found in scan ${input.scanId}`);
    query = query.where("evidence_id", "in", finding.evidence_ids.length > 0 ? finding.evidence_ids : [""]);
  }
  if (input.kind) query = query.where("kind", "=", input.kind);
  if (input.pageUrl) query = query.where("url", "=", input.pageUrl);
  if (input.cursor) query = query.where("evidence_id", ">", input.cursor);
  const rows = await query.execute();
  const page = rows.slice(0, input.limit);
  return {
    items: page.map(storedEvidenceFromRow),
    nextCursor: rows.length > input.limit ? (page.at(-1)?.evidence_id ?? null) : null,
  };
}

export async function listPages(tx: Tx, actor: ScanActor, scanId: string) {
  await findScan(tx, actor, scanId);
  const rows = await tx
    .selectFrom("scan_pages")
    .selectAll()
    .where("scan_id", "=", scanId)
    .orderBy("url")
    .execute();
  return rows.map((row) => ({
    id: row.id,
    url: row.url,
    finalUrl: row.final_url,
    httpStatus: row.http_status,
    bytes: Number(row.bytes),
    durationMs: row.duration_ms,
    rendered: row.rendered,
    error: row.error,
    hasScreenshot: row.screenshot_path !== null,
  }));
}

/** The page's screenshot object, after RLS confirmed the caller may see the page. */
export async function screenshotRef(
  tx: Tx,
  actor: ScanActor,
  scanId: string,
  pageId: string,
): Promise<ObjectRef> {
  await findScan(tx, actor, scanId);
  const page = await tx
    .selectFrom("scan_pages")
    .select("screenshot_path")
    .where("id", "=", pageId)
    .where("scan_id", "=", scanId)
    .executeTakeFirst();
  if (!page) throw new DomainError("NOT_FOUND", `Page ${pageId} was not found in scan ${scanId}`);
  if (!page.screenshot_path) throw new DomainError("NOT_FOUND", `Page ${pageId} has no screenshot`);
  return { bucket: "screenshots", path: page.screenshot_path };
}
