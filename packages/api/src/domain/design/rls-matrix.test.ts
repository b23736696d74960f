import { withServiceTx } from "@techscaniq/db";
import {
  createRlsWorld,
  describeRlsMatrix,
  type RlsActor as Actor,
  type RlsTableCase,
  type RlsWorld,
} from "@techscaniq/db/rls-matrix";
import { createTestDatabase, type TestDatabase } from "@techscaniq/db/testing";
import { afterAll, beforeAll } from "vitest";

/**
 * design_sessions' RLS matrix (agents: design wizard): members of the tenant read its sessions, writers
 * start, change and delete them, and nobody else sees or touches them.
 */

interface World extends RlsWorld {
  sessionA: string;
}

const READERS: Actor[] = ["ownerA", "adminA", "memberA", "viewerA", "keyAdminA", "keyWriteA", "keyReadA"];
const WRITERS: Actor[] = ["ownerA", "adminA", "memberA", "keyAdminA", "keyWriteA"];

const changed = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }[]) =>
  Number(result[0]?.numUpdatedRows ?? result[0]?.numDeletedRows ?? 0);
const userOf = (world: World, actor: Actor) =>
  actor in world.users ? world.users[actor as keyof World["users"]] : null;
const ANALYSIS = JSON.stringify({ capabilities: [], agents: [], relations: [] });

const CASES: RlsTableCase<World>[] = [
  {
    table: "design_sessions",
    ops: {
      select: async (trx, w) =>
        (await trx.selectFrom("design_sessions").select("id").where("id", "=", w.sessionA).execute()).length,
      insert: async (trx, w, actor) =>
        (
          await trx
            .insertInto("design_sessions")
            .values({
              tenant_id: w.tenantA,
              title: "New",
              source: "text",
              analysis: ANALYSIS,
              created_by: userOf(w, actor),
            })
            .execute()
        ).length,
      update: async (trx, w) =>
        changed(
          await trx
            .updateTable("design_sessions")
            .set({ title: "Renamed" })
            .where("id", "=", w.sessionA)
            .execute(),
        ),
      delete: async (trx, w) =>
        changed(await trx.deleteFrom("design_sessions").where("id", "=", w.sessionA).execute()),
    },
    allowed: { select: READERS, insert: WRITERS, update: WRITERS, delete: WRITERS },
  },
];

let database: TestDatabase;
let world: World;

beforeAll(async () => {
  database = await createTestDatabase();
  const base = await createRlsWorld(database.db);
  const sessionA = await withServiceTx(database.db, async (trx) => {
    const row = await trx
      .insertInto("design_sessions")
      .values({ tenant_id: base.tenantA, title: "A's session", source: "text", analysis: ANALYSIS })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  });
  world = { ...base, sessionA };
}, 120_000);

afterAll(() => database?.drop());

describeRlsMatrix("agents: design wizard RLS", CASES, () => ({ db: database.db, world }));
