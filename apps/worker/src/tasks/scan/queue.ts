import { emitEvent, sql, type Database, type Selectable, type withServiceTx } from "@techscaniq/db";

/** Scans the worker starts are lighter than a person's: a few pages, one rendered. */
export const LIGHT_SCAN_OPTIONS = { maxPages: 10, renderCount: 1, maxDepth: 2 };

type ServiceTx = Parameters<Parameters<typeof withServiceTx>[1]>[0];

/**
 * A scan the worker itself starts (an agent's scan_url, a watchlist's re-scan), queued as the API
 * queues one: the row, its scan.queued event and its scan.crawl job, in the caller's transaction
 * (the worker's, or an agent run's as agent_runner).
 * A re-scan of a URL points at its last good scan, as the API's re-scan does (the report's diff).
 * The job may start later (`runAt`); the pipeline's per-tenant admission applies when it does.
 */
export async function queueWorkerScan(
  tx: ServiceTx,
  scan: { tenantId: string; createdBy: string | null; url: string; options: object; runAt?: Date },
): Promise<Selectable<Database["scans"]>> {
  const parent = await tx
    .selectFrom("scans")
    .select("id")
    .where("tenant_id", "=", scan.tenantId)
    .where("target_url", "=", scan.url)
    .where("status", "=", "succeeded")
    .orderBy("finished_at", "desc")
    .limit(1)
    .executeTakeFirst();
  const row = await tx
    .insertInto("scans")
    .values({
      tenant_id: scan.tenantId,
      created_by: scan.createdBy,
      target_url: scan.url,
      options: JSON.stringify(scan.options),
      parent_scan_id: parent?.id ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await emitEvent(tx, {
    type: "scan.queued",
    tenantId: scan.tenantId,
    userId: null,
    subject: row.id,
    data: { scanId: row.id, status: row.status, stage: row.stage, progress: 0, targetUrl: scan.url },
  });
  const runAt = scan.runAt ?? new Date();
  await sql`select private.enqueue_scan_job(${row.id}::uuid, 'scan.crawl', ${runAt})`.execute(tx);
  return row;
}
