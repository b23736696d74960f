import { WatchChangeKind, WatchRules } from "@techscaniq/contracts";
import { CronExpression, TimeZone } from "@techscaniq/contracts/schedules";
import { z } from "zod";
import { idSchema, pageOutput } from "../../schemas";
import { targetUrlSchema } from "../scans/scans.schemas";

/** Inputs and outputs of the `watchlist` router. */

/** URLs per watchlist: a portfolio, not a crawl. */
export const MAX_WATCHLIST_URLS = 200;

export const watchlistIdSchema = idSchema("a watchlist");
const watchlistName = z
  .string({ error: "name must be text" })
  .trim()
  .min(1, "name is required")
  .max(100, "name is longer than 100 characters");
const urlList = z
  .array(targetUrlSchema)
  .min(1, "give at least one URL")
  .max(MAX_WATCHLIST_URLS, `at most ${MAX_WATCHLIST_URLS} URLs`);

export const createWatchlistInput = z
  .object({
    name: watchlistName,
    /** Re-scan cadence, 5-field cron read in `timezone` (e.g. `0 6 * * *`: daily at 06:00). */
    cron: CronExpression,
    timezone: TimeZone.default("UTC"),
    rules: WatchRules.default(WatchRules.parse({})),
    urls: urlList,
    enabled: z.boolean().default(true),
  })
  .strict();

export const updateWatchlistInput = z
  .object({
    watchlistId: watchlistIdSchema,
    name: watchlistName.optional(),
    cron: CronExpression.optional(),
    timezone: TimeZone.optional(),
    rules: WatchRules.optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const watchlistRefInput = z.object({ watchlistId: watchlistIdSchema }).strict();
export const addUrlsInput = z.object({ watchlistId: watchlistIdSchema, urls: urlList }).strict();
export const removeUrlInput = z
  .object({ watchlistId: watchlistIdSchema, urlId: idSchema("a watchlist URL") })
  .strict();
export const timelineInput = z
  .object({
    watchlistId: watchlistIdSchema,
    /** Only this URL's changes. */
    urlId: idSchema("a watchlist URL").optional(),
    limit: z.number().int().min(1).max(100).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export const watchlistUrlSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  /** The last scan compared (the next one is compared with it); null before the first. */
  lastScanId: z.uuid().nullable(),
  /** The re-scan in flight, if any. */
  pendingScanId: z.uuid().nullable(),
  createdAt: z.string(),
});

export const watchlistSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  cron: z.string(),
  timezone: z.string(),
  rules: WatchRules,
  enabled: z.boolean(),
  /** The next re-scan slot; null when disabled. */
  nextRunAt: z.string().nullable(),
  urlCount: z.number(),
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WatchlistView = z.output<typeof watchlistSchema>;

export const watchlistDetailSchema = watchlistSchema.extend({ urls: z.array(watchlistUrlSchema) });

export const watchlistChangeSchema = z.object({
  id: z.uuid(),
  urlId: z.uuid(),
  url: z.string(),
  /** Compared against; null once deleted. */
  previousScanId: z.uuid().nullable(),
  scanId: z.uuid(),
  kind: WatchChangeKind,
  details: z.record(z.string(), z.unknown()),
  eventId: z.string().nullable(),
  createdAt: z.string(),
});

export const watchlistListSchema = z.array(watchlistSchema);
export const timelineSchema = pageOutput(watchlistChangeSchema);
export const deletedWatchlistSchema = z.object({ deleted: z.literal(true) });
