import {
  addUrls,
  createWatchlist,
  deleteWatchlist,
  getWatchlist,
  listWatchlists,
  removeUrl,
  timeline,
  updateWatchlist,
} from "../domain/watchlists/watchlists";
import {
  addUrlsInput,
  createWatchlistInput,
  deletedWatchlistSchema,
  removeUrlInput,
  timelineInput,
  timelineSchema,
  updateWatchlistInput,
  watchlistDetailSchema,
  watchlistListSchema,
  watchlistRefInput,
} from "../domain/watchlists/watchlists.schemas";
import { scanActorOf } from "../domain/scans/service";
import { noInput } from "../schemas";
import { requireRole, router, tenantProcedure } from "../trpc";

const writeProcedure = tenantProcedure.use(requireRole("member"));

/** Watchlists: URLs re-scanned on a cadence, with a timeline of what changed between scans. */
export const watchlistRouter = router({
  list: tenantProcedure
    .input(noInput)
    .output(watchlistListSchema)
    .query(({ ctx }) => listWatchlists(ctx.tx, scanActorOf(ctx))),

  get: tenantProcedure
    .input(watchlistRefInput)
    .output(watchlistDetailSchema)
    .query(({ ctx, input }) => getWatchlist(ctx.tx, scanActorOf(ctx), input.watchlistId)),

  create: writeProcedure
    .input(createWatchlistInput)
    .output(watchlistDetailSchema)
    .mutation(async ({ ctx, input }) => {
      const watchlist = await createWatchlist(ctx.tx, scanActorOf(ctx), input);
      ctx.audit.target = `watchlist:${watchlist.id}`;
      return watchlist;
    }),

  /** Name, cadence, rules, enabled; a new cadence (or enabling) moves the next slot. */
  update: writeProcedure
    .input(updateWatchlistInput)
    .output(watchlistDetailSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `watchlist:${input.watchlistId}`;
      return updateWatchlist(ctx.tx, scanActorOf(ctx), input);
    }),

  delete: writeProcedure
    .input(watchlistRefInput)
    .output(deletedWatchlistSchema)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `watchlist:${input.watchlistId}`;
      await deleteWatchlist(ctx.tx, scanActorOf(ctx), input.watchlistId);
      return { deleted: true as const };
    }),

  addUrls: writeProcedure
    .input(addUrlsInput)
    .output(watchlistDetailSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `watchlist:${input.watchlistId}`;
      return addUrls(ctx.tx, scanActorOf(ctx), input);
    }),

  removeUrl: writeProcedure
    .input(removeUrlInput)
    .output(watchlistDetailSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `watchlist:${input.watchlistId}`;
      return removeUrl(ctx.tx, scanActorOf(ctx), input);
    }),

  /** Changes between consecutive scans of the URLs, newest first, with both scans' ids. */
  timeline: tenantProcedure
    .input(timelineInput)
    .output(timelineSchema)
    .query(({ ctx, input }) => timeline(ctx.tx, scanActorOf(ctx), input)),
});
