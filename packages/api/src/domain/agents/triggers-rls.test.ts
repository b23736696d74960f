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
 * The event trigger tables' RLS matrix: members read, writers manage triggers, and only the worker
 * (service role) records firings. Every cell runs in a transaction that is rolled back.
 */

interface World extends RlsWorld {
  agentA: string;
  triggerA: string;
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
    table: "agent_triggers",
    ops: {
      select: async (trx: Trx, w: World) =>
        (await trx.selectFrom("agent_triggers").select("id").where("id", "=", w.triggerA).execute()).length,
      insert: async (trx: Trx, w: World, actor: Actor) =>
        (
          await trx
            .insertInto("agent_triggers")
            .values({
              tenant_id: w.tenantA,
              agent_id: w.agentA,
              event_type: "scan.failed",
              created_by: userOf(w, actor),
            })
            .execute()
        ).length,
      update: async (trx: Trx, w: World) =>
        changed(
          await trx
            .updateTable("agent_triggers")
            .set({ enabled: false })
            .where("id", "=", w.triggerA)
            .execute(),
        ),
      delete: async (trx: Trx, w: World) =>
        changed(await trx.deleteFrom("agent_triggers").where("id", "=", w.triggerA).execute()),
    },
    allowed: { select: READERS, insert: WRITERS, update: WRITERS, delete: WRITERS },
  },
  {
    table: "agent_trigger_firings",
    ops: {
      select: async (trx: Trx, w: World) =>
        (
          await trx
            .selectFrom("agent_trigger_firings")
            .select("id")
            .where("trigger_id", "=", w.triggerA)
            .execute()
        ).length,
      insert: async (trx: Trx, w: World) =>
        (
          await trx
            .insertInto("agent_trigger_firings")
            .values({ tenant_id: w.tenantA, trigger_id: w.triggerA, event_id: "2", skipped_reason: "forged" })
            .execute()
        ).length,
      update: async (trx: Trx, w: World) =>
        changed(
          await trx
            .updateTable("agent_trigger_firings")
            .set({ skipped_reason: "changed" })
            .where("trigger_id", "=", w.triggerA)
            .execute(),
        ),
      delete: async (trx: Trx, w: World) =>
        changed(await trx.deleteFrom("agent_trigger_firings").where("trigger_id", "=", w.triggerA).execute()),
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
    const agent = await trx
      .insertInto("agents")
      .values({ tenant_id: base.tenantA, name: "watch", draft_spec: "{}" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const trigger = await trx
      .insertInto("agent_triggers")
      .values({ tenant_id: base.tenantA, agent_id: agent.id, event_type: "scan.completed" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("agent_trigger_firings")
      .values({ tenant_id: base.tenantA, trigger_id: trigger.id, event_id: "1", skipped_reason: "seed" })
      .execute();
    return { agentA: agent.id, triggerA: trigger.id };
  });
  world = { ...base, ...ids };
}, 120_000);

afterAll(async () => {
  await database.drop();
});

describeRlsMatrix("triggers: RLS matrix", CASES, () => ({ db: database.db, world }));
