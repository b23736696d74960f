import { randomUUID } from "node:crypto";
import { withRlsTx, withServiceTx } from "@techscaniq/db";
import {
  createRlsWorld,
  describeRlsMatrix,
  type RlsActor as Actor,
  type RlsTableCase,
  type RlsTrx as Trx,
  type RlsWorld,
} from "@techscaniq/db/rls-matrix";
import { createTestDatabase, type TestDatabase } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * agent_schedules in the RLS matrix: members read, writers create, change and delete; and the
 * schedule columns of agent_runs are the worker's alone.
 */

interface World extends RlsWorld {
  agentA: string;
  scheduleA: string;
}

const READERS: Actor[] = ["ownerA", "adminA", "memberA", "viewerA", "keyAdminA", "keyWriteA", "keyReadA"];
const WRITERS: Actor[] = ["ownerA", "adminA", "memberA", "keyAdminA", "keyWriteA"];

const changed = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }[]) =>
  Number(result[0]?.numUpdatedRows ?? result[0]?.numDeletedRows ?? 0);
const userOf = (world: World, actor: Actor) =>
  actor in world.users ? world.users[actor as keyof World["users"]] : null;
const SPEC = JSON.stringify({ instructions: "x", inputSchema: { type: "object" }, tools: ["scan_url"] });

const CASES: RlsTableCase<World>[] = [
  {
    table: "agent_schedules",
    ops: {
      select: async (trx: Trx, w: World) =>
        (await trx.selectFrom("agent_schedules").select("id").where("id", "=", w.scheduleA).execute()).length,
      insert: async (trx: Trx, w: World, actor: Actor) =>
        (
          await trx
            .insertInto("agent_schedules")
            .values({
              tenant_id: w.tenantA,
              agent_id: w.agentA,
              cron: "0 9 * * *",
              timezone: "UTC",
              created_by: userOf(w, actor),
            })
            .execute()
        ).length,
      update: async (trx: Trx, w: World) =>
        changed(
          await trx
            .updateTable("agent_schedules")
            .set({ enabled: false })
            .where("id", "=", w.scheduleA)
            .execute(),
        ),
      delete: async (trx: Trx, w: World) =>
        changed(await trx.deleteFrom("agent_schedules").where("id", "=", w.scheduleA).execute()),
    },
    allowed: { select: READERS, insert: WRITERS, update: WRITERS, delete: WRITERS },
  },
];

let database: TestDatabase;
let world: World;

async function agentWithSchedule(tenantId: string) {
  return withServiceTx(database.db, async (trx) => {
    const agent = await trx
      .insertInto("agents")
      .values({ tenant_id: tenantId, name: `agent ${randomUUID()}`, draft_spec: SPEC })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("agent_versions")
      .values({ tenant_id: tenantId, agent_id: agent.id, version: 1, spec: SPEC })
      .execute();
    await trx
      .updateTable("agents")
      .set({ status: "published", current_version: 1 })
      .where("id", "=", agent.id)
      .execute();
    const schedule = await trx
      .insertInto("agent_schedules")
      .values({ tenant_id: tenantId, agent_id: agent.id, cron: "0 9 * * *", timezone: "UTC" })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { agentId: agent.id, scheduleId: schedule.id };
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  const base = await createRlsWorld(database.db);
  const { agentId, scheduleId } = await agentWithSchedule(base.tenantA);
  world = { ...base, agentA: agentId, scheduleA: scheduleId };
}, 120_000);

afterAll(async () => {
  await database.drop();
});

describeRlsMatrix("schedules: RLS matrix", CASES, () => ({ db: database.db, world }));

describe("schedules: RLS rules beyond the matrix", () => {
  const as = <T>(actor: Actor, fn: (trx: Trx) => Promise<T>) =>
    withRlsTx(database.db, world.claims[actor], fn);

  it("leaves a schedule's runs to the worker: a request can't claim a slot, backfill or skip", async () => {
    const base = { tenant_id: world.tenantA, agent_id: world.agentA, agent_version: 1 };
    for (const values of [
      { ...base, trigger: "schedule" as const },
      { ...base, schedule_id: world.scheduleA, slot_at: new Date("2027-01-01T09:00:00Z") },
      { ...base, backfilled: true },
    ])
      await expect(
        as("ownerA", (trx) => trx.insertInto("agent_runs").values(values).execute()),
        JSON.stringify(values),
      ).rejects.toMatchObject({ code: "42501" });
    // The ordinary manual run still passes.
    await expect(
      as("ownerA", (trx) => trx.insertInto("agent_runs").values(base).execute()),
    ).resolves.toBeDefined();
  });

  it("refuses a schedule of tenant A's agent filed under tenant B", async () => {
    await expect(
      as("ownerB", (trx) =>
        trx
          .insertInto("agent_schedules")
          .values({ tenant_id: world.tenantB, agent_id: world.agentA, cron: "0 9 * * *", timezone: "UTC" })
          .execute(),
      ),
    ).rejects.toMatchObject({ code: "23503" });
  });
});
