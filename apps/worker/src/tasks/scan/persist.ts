import type { FindingRecord } from "@techscaniq/contracts/scan";
import { emitEvent, sql, type Database, type Selectable, type Transaction } from "@techscaniq/db";
import type { Evidence } from "@techscaniq/scanner";

type Tx = Transaction<Database>;
export type ScanRow = Selectable<Database["scans"]>;
export type ScanStage = ScanRow["stage"] & string;

/** A page row as the crawl and render stages report it. */
export interface PageRecord {
  url: string;
  finalUrl: string | null;
  httpStatus: number | null;
  bytes: number;
  durationMs: number | null;
  rendered: boolean;
  error: string | null;
  screenshotPath: string | null;
}

/** A finding row; `key` is stable within (scan, kind) so storing twice upserts. */
export type { FindingRecord };

/**
 * One row per key, merged as `merge(earlier, later)`: a single INSERT … ON
 * CONFLICT DO UPDATE may not touch the same row twice, so duplicates in one
 * batch (a library seen with two advisories, a page both fetched and failed)
 * must become one row before the statement, in every upsert below.
 */
function mergeByKey<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  merge: (earlier: T, later: T) => T,
): T[] {
  const merged = new Map<string, T>();
  for (const item of items) {
    const key = keyOf(item);
    const earlier = merged.get(key);
    merged.set(key, earlier === undefined ? item : merge(earlier, item));
  }
  return [...merged.values()];
}

/** Postgres caps bind parameters at 65,535 per statement; evidence rows have 11. */
const EVIDENCE_BATCH = 2000;

/** Upserts on (scan_id, evidence_id): a resumed stage rewrites the same rows, never adds copies. */
export async function upsertEvidence(tx: Tx, scan: ScanRow, input: readonly Evidence[]): Promise<void> {
  // The same observation twice is one row; the later copy wins, as the conflict clause does.
  const evidence = mergeByKey(
    input,
    (item) => item.id,
    (_earlier, later) => later,
  );
  for (let start = 0; start < evidence.length; start += EVIDENCE_BATCH) {
    const batch = evidence.slice(start, start + EVIDENCE_BATCH);
    await tx
      .insertInto("evidence_items")
      .values(
        batch.map((item) => ({
          scan_id: scan.id,
          evidence_id: item.id,
          tenant_id: scan.tenant_id,
          kind: item.kind,
          collector: item.collector,
          url: item.url,
          locator: item.locator,
          snippet: item.snippet,
          content_hash: item.contentHash,
          observed_at: item.observedAt,
          confidence: Math.round(item.confidence),
        })),
      )
      .onConflict((conflict) =>
        conflict.columns(["scan_id", "evidence_id"]).doUpdateSet((eb) => ({
          snippet: eb.ref("excluded.snippet"),
          confidence: eb.ref("excluded.confidence"),
        })),
      )
      .execute();
  }
}

/** Two reports of one page combine as the conflict clause below combines a stored row with a new one. */
function mergePage(earlier: PageRecord, later: PageRecord): PageRecord {
  return {
    url: later.url,
    finalUrl: later.finalUrl ?? earlier.finalUrl,
    httpStatus: later.httpStatus ?? earlier.httpStatus,
    bytes: Math.max(later.bytes, earlier.bytes),
    durationMs: later.durationMs ?? earlier.durationMs,
    rendered: later.rendered || earlier.rendered,
    error: later.error,
    screenshotPath: later.screenshotPath ?? earlier.screenshotPath,
  };
}

export async function upsertPages(tx: Tx, scan: ScanRow, input: readonly PageRecord[]): Promise<void> {
  const pages = mergeByKey(input, (page) => page.url, mergePage);
  if (pages.length === 0) return;
  await tx
    .insertInto("scan_pages")
    .values(
      pages.map((page) => ({
        scan_id: scan.id,
        tenant_id: scan.tenant_id,
        url: page.url,
        final_url: page.finalUrl,
        http_status: page.httpStatus,
        bytes: page.bytes,
        duration_ms: page.durationMs === null ? null : Math.round(page.durationMs),
        rendered: page.rendered,
        error: page.error,
        screenshot_path: page.screenshotPath,
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(["scan_id", "url"]).doUpdateSet((eb) => ({
        final_url: eb.fn.coalesce("excluded.final_url", "scan_pages.final_url"),
        http_status: eb.fn.coalesce("excluded.http_status", "scan_pages.http_status"),
        bytes: sql<string>`greatest(excluded.bytes, scan_pages.bytes)`,
        duration_ms: eb.fn.coalesce("excluded.duration_ms", "scan_pages.duration_ms"),
        rendered: sql<boolean>`excluded.rendered or scan_pages.rendered`,
        error: eb.ref("excluded.error"),
        screenshot_path: eb.fn.coalesce("excluded.screenshot_path", "scan_pages.screenshot_path"),
      })),
    )
    .execute();
}

/** The later finding under a key wins, citing the evidence of both. */
function mergeFinding(earlier: FindingRecord, later: FindingRecord): FindingRecord {
  return { ...later, evidenceIds: [...new Set([...earlier.evidenceIds, ...later.evidenceIds])] };
}

export async function upsertFindings(tx: Tx, scan: ScanRow, input: readonly FindingRecord[]): Promise<void> {
  const findings = mergeByKey(input, (finding) => `${finding.kind}\u0000${finding.key}`, mergeFinding);
  if (findings.length === 0) return;
  await tx
    .insertInto("findings")
    .values(
      findings.map((finding) => ({
        scan_id: scan.id,
        tenant_id: scan.tenant_id,
        kind: finding.kind,
        finding_key: finding.key,
        name: finding.name,
        version: finding.version,
        category: finding.category,
        confidence: finding.confidence === null ? null : Math.round(finding.confidence),
        severity: finding.severity,
        evidence_ids: finding.evidenceIds,
        details: JSON.stringify(finding.details),
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(["scan_id", "kind", "finding_key"]).doUpdateSet((eb) => ({
        name: eb.ref("excluded.name"),
        version: eb.ref("excluded.version"),
        category: eb.ref("excluded.category"),
        confidence: eb.ref("excluded.confidence"),
        severity: eb.ref("excluded.severity"),
        evidence_ids: eb.ref("excluded.evidence_ids"),
        details: eb.ref("excluded.details"),
      })),
    )
    .execute();
}

/** Progress and lifecycle events of a scan, with the fields every consumer needs. */
export async function scanEvent(
  tx: Tx,
  scan: ScanRow,
  type: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  await emitEvent(tx, {
    type,
    tenantId: scan.tenant_id,
    userId: null,
    subject: scan.id,
    data: { scanId: scan.id, status: scan.status, stage: scan.stage, progress: scan.progress, ...data },
  });
}

/** Queues the scan's next task under its job key (the key moves from the running job to the new one). */
export async function enqueueScanTask(tx: Tx, scanId: string, task: string, runAt?: Date): Promise<void> {
  await sql`select private.enqueue_scan_job(${scanId}::uuid, ${task}, ${runAt ?? new Date()})`.execute(tx);
}
