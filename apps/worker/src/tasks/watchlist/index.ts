import {
  WATCHLIST_COMPARE_TASK,
  WATCHLIST_TICK_TASK,
  WatchlistComparePayload,
  WatchlistTickPayload,
} from "@techscaniq/contracts/tasks";
import type { Db } from "@techscaniq/db";
import { defineTask, type TaskDefinition } from "../define";
import { compareWatchedScan, watchlistTick } from "./watch";

/** watchlist.tick (crontab, each minute) queues due re-scans; watchlist.compare diffs a watched scan. */
export function watchlistTasks(db: Db): TaskDefinition[] {
  return [
    defineTask({
      name: WATCHLIST_TICK_TASK,
      payload: WatchlistTickPayload,
      handler: async (_payload, { helpers }) => {
        const result = await watchlistTick(db);
        if (result.watchlists > 0)
          helpers.logger.info(`watchlist.tick: ${result.scans} scan(s) of ${result.watchlists} watchlist(s)`);
      },
    }),
    defineTask({
      name: WATCHLIST_COMPARE_TASK,
      payload: WatchlistComparePayload,
      handler: async (payload, { helpers }) => {
        const result = await compareWatchedScan(db, payload.scanId);
        helpers.logger.info(
          `watchlist.compare ${payload.scanId}: ${result.changes} change(s), ${result.urls} URL(s)`,
        );
      },
    }),
  ];
}
