import { diffScans, nextSlot, WatchRules, watchChanges, watchScanOffsetMs } from "@techscaniq/contracts";
import { isFinishedScan } from "@techscaniq/contracts/scan";
import { emitEvent, withServiceTx, type Db } from "@techscaniq/db";
import { loadScanInput } from "../report/generate";
import { LIGHT_SCAN_OPTIONS, queueWorkerScan } from "../scan/queue";

/** Watchlists taken per transaction by one tick; more wait for the next round. */
const TICK_BATCH = 100;

export interface WatchTickResult {
  watchlists: number;
  scans: number;
}

/**
 * The watchlists' tick (each minute, next to the schedules' tick): each enabled watchlist whose slot
 * has come queues a re-scan of every URL that has none in flight, each job at its URL's offset after
 * the slot (spread over up to half the period, at most an hour; the pipeline's per-tenant admission
 * holds back what is due at once), and moves to its next slot after `now` (slots missed while no tick
 * ran collapse into this one: one scan per URL says what changed).
 * Watchlists are taken `for update skip locked`, so two workers ticking together queue each scan once.
 */
export async function watchlistTick(db: Db, now = new Date()): Promise<WatchTickResult> {
  const result: WatchTickResult = { watchlists: 0, scans: 0 };
  for (;;) {
    const taken = await withServiceTx(db, async (tx) => {
      const due = await tx
        .selectFrom("watchlists")
        .selectAll()
        .where("enabled", "=", true)
        .where("next_run_at", "<=", now)
        .orderBy("next_run_at")
        .limit(TICK_BATCH)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const watchlist of due) {
        const schedule = { cron: watchlist.cron, timezone: watchlist.timezone };
        const slot = watchlist.next_run_at!.getTime();
        const following = nextSlot(schedule, now);
        const period = following ? following.getTime() - slot : 0;
        const urls = await tx
          .selectFrom("watchlist_urls")
          .select(["id", "url"])
          .where("tenant_id", "=", watchlist.tenant_id)
          .where("watchlist_id", "=", watchlist.id)
          .where("pending_scan_id", "is", null)
          .execute();
        for (const entry of urls) {
          const scan = await queueWorkerScan(tx, {
            tenantId: watchlist.tenant_id,
            createdBy: watchlist.created_by,
            url: entry.url,
            options: LIGHT_SCAN_OPTIONS,
            runAt: new Date(slot + watchScanOffsetMs(entry.id, period)),
          });
          await tx
            .updateTable("watchlist_urls")
            .set({ pending_scan_id: scan.id })
            .where("id", "=", entry.id)
            .execute();
        }
        await tx
          .updateTable("watchlists")
          .set({ next_run_at: following })
          .where("id", "=", watchlist.id)
          .execute();
        result.scans += urls.length;
      }
      return due.length;
    });
    result.watchlists += taken;
    if (taken < TICK_BATCH) return result;
  }
}

export interface CompareResult {
  urls: number;
  changes: number;
}

/**
 * A watched scan ended (watchlist.compare, queued by the events row trigger): for each watchlist URL
 * waiting for it, a scan that succeeded is compared with the URL's last one (diffScans); the changes
 * the watchlist's rules count go to its timeline and one finding.changed event per URL, and the scan
 * becomes the next baseline. A failed or cancelled scan only frees the URL. Idempotent: a second
 * delivery finds no URL waiting for the scan.
 */
export async function compareWatchedScan(db: Db, scanId: string): Promise<CompareResult> {
  return withServiceTx(db, async (tx) => {
    const waiting = await tx
      .selectFrom("watchlist_urls as u")
      .innerJoin("watchlists as w", (join) =>
        join.onRef("w.tenant_id", "=", "u.tenant_id").onRef("w.id", "=", "u.watchlist_id"),
      )
      .innerJoin("scans as s", (join) =>
        join.onRef("s.tenant_id", "=", "u.tenant_id").onRef("s.id", "=", "u.pending_scan_id"),
      )
      .select(["u.id", "u.tenant_id", "u.watchlist_id", "u.url", "u.last_scan_id", "w.rules", "s.status"])
      .where("u.pending_scan_id", "=", scanId)
      .forUpdate("u")
      .execute();
    const result: CompareResult = { urls: 0, changes: 0 };
    for (const entry of waiting) {
      if (!isFinishedScan(entry.status)) continue;
      const succeeded = entry.status === "succeeded";
      const previousScanId = entry.last_scan_id;
      if (succeeded && previousScanId) {
        const [before, after] = await Promise.all([
          loadScanInput(db, entry.tenant_id, previousScanId),
          loadScanInput(db, entry.tenant_id, scanId),
        ]);
        // Rules written around the API that do not parse count every change.
        const rules = WatchRules.safeParse(entry.rules).data ?? WatchRules.parse({});
        const changes =
          before && after
            ? watchChanges(
                diffScans({ scanId: previousScanId, scan: before.scan }, { scanId, scan: after.scan }),
                rules,
              )
            : [];
        if (changes.length > 0) {
          const event = await emitEvent(tx, {
            type: "finding.changed",
            tenantId: entry.tenant_id,
            userId: null,
            subject: entry.watchlist_id,
            data: {
              watchlistId: entry.watchlist_id,
              watchlistUrlId: entry.id,
              url: entry.url,
              previousScanId,
              scanId,
              changes,
            },
          });
          await tx
            .insertInto("watchlist_changes")
            .values(
              changes.map((change) => ({
                tenant_id: entry.tenant_id,
                watchlist_id: entry.watchlist_id,
                watchlist_url_id: entry.id,
                url: entry.url,
                previous_scan_id: previousScanId,
                scan_id: scanId,
                kind: change.kind,
                details: JSON.stringify(change.details),
                event_id: String(event.id),
              })),
            )
            .execute();
          result.changes += changes.length;
        }
      }
      await tx
        .updateTable("watchlist_urls")
        .set({ pending_scan_id: null, ...(succeeded ? { last_scan_id: scanId } : {}) })
        .where("id", "=", entry.id)
        .execute();
      result.urls += 1;
    }
    return result;
  });
}
