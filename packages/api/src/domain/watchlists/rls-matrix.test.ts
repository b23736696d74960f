import { withServiceTx } from "@techscaniq/db";
import {
  createRlsWorld,
  describeRlsMatrix,
  type RlsActor as Actor,
  type RlsTableCase,
  type RlsTrx as Trx,
  type RlsWorld,
} from "@techscaniq/db/rls-matrix";
import { createTestDatabase, type TestDatabase } from "@techscaniq/db/testing";
import { afterAll, beforeAll } from "vitest";

/**
 * The watchlist tables' RLS matrix: members read; writers manage watchlists and their URLs; only the
 * worker (service role) moves a URL's scans or writes the timeline. Every cell is rolled back.
 */

interface World extends RlsWorld {
  watchlistA: string;
  urlA: string;
}

const READERS: Actor[] = ["ownerA", "adminA", "memberA", "viewerA", "keyAdminA", "keyWriteA", "keyReadA"];
const WRITERS: Actor[] = ["ownerA", "adminA", "memberA", "keyAdminA", "keyWriteA"];
const NOBODY: Actor[] = [];

const changed = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }[]) =>
  Number(result[0]?.numUpdatedRows ?? result[0]?.numDeletedRows ?? 0);
const userOf = (world: World, actor: Actor) =>
  actor in world.users ? world.users[actor as keyof World["users"]] : null;

const CASES: RlsTableCase<World>[] = [
  {
    table: "watchlists",
    ops: {
      select: async (trx: Trx, w: World) =>
        (await trx.selectFrom("watchlists").select("id").where("id", "=", w.watchlistA).execute()).length,
      insert: async (trx: Trx, w: World, actor: Actor) =>
        (
          await trx
            .insertInto("watchlists")
            .values({
              tenant_id: w.tenantA,
              name: `w ${actor}`,
              cron: "0 6 * * *",
              created_by: userOf(w, actor),
            })
            .execute()
        ).length,
      update: async (trx: Trx, w: World) =>
        changed(
          await trx
            .updateTable("watchlists")
            .set({ enabled: false })
            .where("id", "=", w.watchlistA)
            .execute(),
        ),
      delete: async (trx: Trx, w: World) =>
        changed(await trx.deleteFrom("watchlists").where("id", "=", w.watchlistA).execute()),
    },
    allowed: { select: READERS, insert: WRITERS, update: WRITERS, delete: WRITERS },
  },
  {
    table: "watchlist_urls",
    ops: {
      select: async (trx: Trx, w: World) =>
        (await trx.selectFrom("watchlist_urls").select("id").where("id", "=", w.urlA).execute()).length,
      insert: async (trx: Trx, w: World) =>
        (
          await trx
            .insertInto("watchlist_urls")
            .values({ tenant_id: w.tenantA, watchlist_id: w.watchlistA, url: "https://new.example/" })
            .execute()
        ).length,
      // The scans a URL waits for and compares with are the worker's.
      update: async (trx: Trx, w: World) =>
        changed(
          await trx
            .updateTable("watchlist_urls")
            .set({ last_scan_id: null })
            .where("id", "=", w.urlA)
            .execute(),
        ),
      delete: async (trx: Trx, w: World) =>
        changed(await trx.deleteFrom("watchlist_urls").where("id", "=", w.urlA).execute()),
    },
    allowed: { select: READERS, insert: WRITERS, update: NOBODY, delete: WRITERS },
  },
  {
    table: "watchlist_changes",
    ops: {
      select: async (trx: Trx, w: World) =>
        (
          await trx
            .selectFrom("watchlist_changes")
            .select("id")
            .where("watchlist_id", "=", w.watchlistA)
            .execute()
        ).length,
      insert: async (trx: Trx, w: World) => {
        const scan = await trx
          .selectFrom("scans")
          .select("id")
          .where("tenant_id", "=", w.tenantA)
          .executeTakeFirst();
        return (
          await trx
            .insertInto("watchlist_changes")
            .values({
              tenant_id: w.tenantA,
              watchlist_id: w.watchlistA,
              watchlist_url_id: w.urlA,
              url: "https://a.example/",
              scan_id: scan?.id ?? "00000000-0000-4000-8000-000000000000",
              kind: "technology_added",
            })
            .execute()
        ).length;
      },
      update: async (trx: Trx, w: World) =>
        changed(
          await trx
            .updateTable("watchlist_changes")
            .set({ details: "{}" })
            .where("watchlist_id", "=", w.watchlistA)
            .execute(),
        ),
      delete: async (trx: Trx, w: World) =>
        changed(await trx.deleteFrom("watchlist_changes").where("watchlist_id", "=", w.watchlistA).execute()),
    },
    allowed: { select: READERS, insert: NOBODY, update: NOBODY, delete: NOBODY },
  },
];

let database: TestDatabase;
let world: World;

beforeAll(async () => {
  database = await createTestDatabase();
  const base = await createRlsWorld(database.db);
  const ids = await withServiceTx(database.db, async (trx) => {
    const scan = await trx
      .insertInto("scans")
      .values({ tenant_id: base.tenantA, target_url: "https://a.example/", status: "succeeded" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const watchlist = await trx
      .insertInto("watchlists")
      .values({ tenant_id: base.tenantA, name: "portfolio", cron: "0 6 * * *" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const url = await trx
      .insertInto("watchlist_urls")
      .values({
        tenant_id: base.tenantA,
        watchlist_id: watchlist.id,
        url: "https://a.example/",
        last_scan_id: scan.id,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("watchlist_changes")
      .values({
        tenant_id: base.tenantA,
        watchlist_id: watchlist.id,
        watchlist_url_id: url.id,
        url: "https://a.example/",
        scan_id: scan.id,
        kind: "version_changed",
      })
      .execute();
    return { watchlistA: watchlist.id, urlA: url.id };
  });
  world = { ...base, ...ids };
}, 120_000);

afterAll(async () => {
  await database.drop();
});

describeRlsMatrix("watchlists: RLS matrix", CASES, () => ({ db: database.db, world }));
