import { nextSlot, WatchRules } from "@techscaniq/contracts";
import { isUniqueViolation, type Database, type Selectable, type Transaction } from "@techscaniq/db";
import type { z } from "zod";
import { DomainError } from "../../errors";
import { afterCursor, keysetPage } from "../keyset";
import type { ScanActor } from "../scans/service";
import {
  MAX_WATCHLIST_URLS,
  type addUrlsInput,
  type createWatchlistInput,
  type timelineInput,
  type updateWatchlistInput,
  type WatchlistView,
} from "./watchlists.schemas";

type Tx = Transaction<Database>;
type WatchlistRow = Selectable<Database["watchlists"]>;
type UrlRow = Selectable<Database["watchlist_urls"]>;
type ChangeRow = Selectable<Database["watchlist_changes"]>;

/**
 * Watchlists of a tenant: members manage them and their URLs and read the timeline; the worker's
 * watchlist.tick re-scans them on their cadence and watchlist.compare writes the timeline.
 */

function toView(row: WatchlistRow, urlCount: number): WatchlistView {
  return {
    id: row.id,
    name: row.name,
    cron: row.cron,
    timezone: row.timezone,
    // Rules changed around the API that do not parse are shown (and applied) as the defaults.
    rules: WatchRules.safeParse(row.rules).data ?? WatchRules.parse({}),
    enabled: row.enabled,
    nextRunAt: row.next_run_at?.toISOString() ?? null,
    urlCount,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const toUrlView = (row: UrlRow) => ({
  id: row.id,
  url: row.url,
  lastScanId: row.last_scan_id,
  pendingScanId: row.pending_scan_id,
  createdAt: row.created_at.toISOString(),
});

const toChangeView = (row: ChangeRow) => ({
  id: row.id,
  urlId: row.watchlist_url_id,
  url: row.url,
  previousScanId: row.previous_scan_id,
  scanId: row.scan_id,
  kind: row.kind,
  details: row.details as Record<string, unknown>,
  eventId: row.event_id,
  createdAt: row.created_at.toISOString(),
});

/** The next slot after now, or null for a disabled watchlist. */
const nextRunAt = (cron: string, timezone: string, enabled: boolean) =>
  enabled ? nextSlot({ cron, timezone }, new Date()) : null;

function nameTaken(error: unknown, name: string): never {
  if (isUniqueViolation(error))
    throw new DomainError("CONFLICT", `A watchlist named ${name} already exists in this tenant`, undefined, {
      cause: error,
    });
  throw error;
}

async function findWatchlist(tx: Tx, actor: ScanActor, watchlistId: string, { forUpdate = false } = {}) {
  let query = tx
    .selectFrom("watchlists")
    .selectAll()
    .where("id", "=", watchlistId)
    .where("tenant_id", "=", actor.tenantId);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new DomainError("NOT_FOUND", `Watchlist ${watchlistId} was not found in this tenant`);
  return row;
}

const urlsOf = (tx: Tx, watchlist: WatchlistRow) =>
  tx
    .selectFrom("watchlist_urls")
    .selectAll()
    .where("tenant_id", "=", watchlist.tenant_id)
    .where("watchlist_id", "=", watchlist.id)
    .orderBy("created_at")
    .orderBy("url")
    .execute();

async function detail(tx: Tx, watchlist: WatchlistRow) {
  const urls = await urlsOf(tx, watchlist);
  return { ...toView(watchlist, urls.length), urls: urls.map(toUrlView) };
}

/** Adds the URLs not in the watchlist yet; refuses to grow it past MAX_WATCHLIST_URLS. */
async function insertUrls(tx: Tx, watchlist: WatchlistRow, urls: readonly string[]) {
  const present = new Set((await urlsOf(tx, watchlist)).map((row) => row.url));
  const fresh = [...new Set(urls)].filter((url) => !present.has(url));
  if (present.size + fresh.length > MAX_WATCHLIST_URLS)
    throw new DomainError(
      "BAD_REQUEST",
      `urls: a watchlist holds at most ${MAX_WATCHLIST_URLS} URLs (${present.size} already)`,
      { urls: [`at most ${MAX_WATCHLIST_URLS} URLs`] },
    );
  if (fresh.length > 0)
    await tx
      .insertInto("watchlist_urls")
      .values(fresh.map((url) => ({ tenant_id: watchlist.tenant_id, watchlist_id: watchlist.id, url })))
      .execute();
}

export async function listWatchlists(tx: Tx, actor: ScanActor): Promise<WatchlistView[]> {
  const rows = await tx
    .selectFrom("watchlists as w")
    .selectAll("w")
    .select((eb) =>
      eb
        .selectFrom("watchlist_urls as u")
        .select(eb.fn.countAll<string>().as("n"))
        .whereRef("u.watchlist_id", "=", "w.id")
        .as("url_count"),
    )
    .where("w.tenant_id", "=", actor.tenantId)
    .orderBy("w.name")
    .execute();
  return rows.map(({ url_count: count, ...row }) => toView(row, Number(count ?? 0)));
}

export async function getWatchlist(tx: Tx, actor: ScanActor, watchlistId: string) {
  return detail(tx, await findWatchlist(tx, actor, watchlistId));
}

export async function createWatchlist(
  tx: Tx,
  actor: ScanActor,
  input: z.output<typeof createWatchlistInput>,
) {
  const watchlist = await tx
    .insertInto("watchlists")
    .values({
      tenant_id: actor.tenantId,
      name: input.name,
      cron: input.cron,
      timezone: input.timezone,
      rules: JSON.stringify(input.rules),
      enabled: input.enabled,
      next_run_at: nextRunAt(input.cron, input.timezone, input.enabled),
      created_by: actor.userId,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch((error: unknown) => nameTaken(error, input.name));
  await insertUrls(tx, watchlist, input.urls);
  return detail(tx, watchlist);
}

export async function updateWatchlist(
  tx: Tx,
  actor: ScanActor,
  input: z.output<typeof updateWatchlistInput>,
) {
  const current = await findWatchlist(tx, actor, input.watchlistId, { forUpdate: true });
  const cron = input.cron ?? current.cron;
  const timezone = input.timezone ?? current.timezone;
  const enabled = input.enabled ?? current.enabled;
  const cadenceChanged =
    cron !== current.cron || timezone !== current.timezone || enabled !== current.enabled;
  const updated = await tx
    .updateTable("watchlists")
    .set({
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.rules !== undefined ? { rules: JSON.stringify(input.rules) } : {}),
      cron,
      timezone,
      enabled,
      ...(cadenceChanged ? { next_run_at: nextRunAt(cron, timezone, enabled) } : {}),
    })
    .where("id", "=", current.id)
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch((error: unknown) => nameTaken(error, input.name ?? current.name));
  return detail(tx, updated);
}

export async function deleteWatchlist(tx: Tx, actor: ScanActor, watchlistId: string): Promise<void> {
  const watchlist = await findWatchlist(tx, actor, watchlistId);
  await tx.deleteFrom("watchlists").where("id", "=", watchlist.id).execute();
}

export async function addUrls(tx: Tx, actor: ScanActor, input: z.output<typeof addUrlsInput>) {
  const watchlist = await findWatchlist(tx, actor, input.watchlistId, { forUpdate: true });
  await insertUrls(tx, watchlist, input.urls);
  return detail(tx, watchlist);
}

/** Removes the URL with its timeline; its scans stay. */
export async function removeUrl(tx: Tx, actor: ScanActor, input: { watchlistId: string; urlId: string }) {
  const watchlist = await findWatchlist(tx, actor, input.watchlistId, { forUpdate: true });
  const removed = await tx
    .deleteFrom("watchlist_urls")
    .where("tenant_id", "=", watchlist.tenant_id)
    .where("watchlist_id", "=", watchlist.id)
    .where("id", "=", input.urlId)
    .executeTakeFirst();
  if (removed.numDeletedRows === 0n)
    throw new DomainError("NOT_FOUND", `URL ${input.urlId} is not in watchlist ${watchlist.name}`);
  return detail(tx, watchlist);
}

/** The watchlist's changes, newest first (optionally one URL's), keyset paged. */
export async function timeline(tx: Tx, actor: ScanActor, input: z.output<typeof timelineInput>) {
  const watchlist = await findWatchlist(tx, actor, input.watchlistId);
  let query = tx
    .selectFrom("watchlist_changes")
    .selectAll()
    .where("tenant_id", "=", watchlist.tenant_id)
    .where("watchlist_id", "=", watchlist.id)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(input.limit + 1);
  if (input.urlId) query = query.where("watchlist_url_id", "=", input.urlId);
  if (input.cursor) query = query.where(afterCursor(input.cursor, "watchlist.timeline"));
  return keysetPage(await query.execute(), input.limit, toChangeView);
}
