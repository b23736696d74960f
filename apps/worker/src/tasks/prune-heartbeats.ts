import { PRUNE_HEARTBEATS_TASK, PruneHeartbeatsPayload } from "@techscaniq/contracts/tasks";
import type { Db } from "@techscaniq/db";
import { withServiceTx } from "@techscaniq/db";
import { defineTask } from "./define";

/**
 * Removes heartbeat rows of workers that stopped without saying goodbye
 * (crash, kill -9, lost machine), so health checks and dashboards only see
 * workers that may still be alive. Deleting by age is naturally idempotent.
 */
export function pruneHeartbeatsTask(db: Db) {
  return defineTask({
    name: PRUNE_HEARTBEATS_TASK,
    payload: PruneHeartbeatsPayload,
    handler: async ({ olderThanMinutes }, { helpers }) => {
      const cutoff = new Date(Date.now() - olderThanMinutes * 60_000);
      const deleted = await withServiceTx(db, (trx) =>
        trx.deleteFrom("worker_heartbeats").where("last_seen_at", "<", cutoff).executeTakeFirst(),
      );
      helpers.logger.info(`pruned ${String(deleted.numDeletedRows)} stale worker heartbeats`);
    },
  });
}
