import { randomUUID } from "node:crypto";
import { sql, withRlsTx, withServiceTx } from "@techscaniq/db";
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
 * The agent tables' RLS matrix, like the scan tables': every table × every
 * kind of caller × every operation, as `authenticated` (or `anon`) exactly as
 * PostgREST runs requests. Exactly the cells in `allowed` may succeed; every
 * cell runs in a transaction that is rolled back.
 */

interface World extends RlsWorld {
  agentA: string;
  runA: string;
}

const READERS: Actor[] = ["ownerA", "adminA", "memberA", "viewerA", "keyAdminA", "keyWriteA", "keyReadA"];
const WRITERS: Actor[] = ["ownerA", "adminA", "memberA", "keyAdminA", "keyWriteA"];
const NOBODY: Actor[] = [];

const changed = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }[]) =>
  Number(result[0]?.numUpdatedRows ?? result[0]?.numDeletedRows ?? 0);
const userOf = (world: World, actor: Actor) =>
  actor in world.users ? world.users[actor as keyof World["users"]] : null;
const SPEC = JSON.stringify({ instructions: "x", inputSchema: { type: "object" }, tools: ["scan_url"] });

const CASES: RlsTableCase<World>[] = [
  {
    table: "agents",
    ops: {
      select: async (trx: Trx, w: World) =>
        (await trx.selectFrom("agents").select("id").where("id", "=", w.agentA).execute()).length,
      insert: async (trx: Trx, w: World, actor: Actor) =>
        (
          await trx
            .insertInto("agents")
            .values({
              tenant_id: w.tenantA,
              name: `matrix ${randomUUID()}`,
              draft_spec: SPEC,
              created_by: userOf(w, actor),
            })
            .execute()
        ).length,
      update: async (trx: Trx, w: World, actor: Actor) =>
        changed(
          await trx
            .updateTable("agents")
            .set({ description: "changed", updated_by: userOf(w, actor) })
            .where("id", "=", w.agentA)
            .execute(),
        ),
      delete: async (trx: Trx, w: World) =>
        changed(await trx.deleteFrom("agents").where("id", "=", w.agentA).execute()),
    },
    allowed: { select: READERS, insert: WRITERS, update: WRITERS, delete: WRITERS },
  },
  {
    table: "agent_versions",
    ops: {
      select: async (trx: Trx, w: World) =>
        (await trx.selectFrom("agent_versions").select("id").where("agent_id", "=", w.agentA).execute())
          .length,
      insert: async (trx: Trx, w: World, actor: Actor) =>
        (
          await trx
            .insertInto("agent_versions")
            .values({
              tenant_id: w.tenantA,
              agent_id: w.agentA,
              version: 2,
              spec: SPEC,
              created_by: userOf(w, actor),
            })
            .execute()
        ).length,
      // Versions are immutable: no request role may change or remove one.
      update: async (trx: Trx, w: World) =>
        changed(
          await trx
            .updateTable("agent_versions")
            .set({ spec: SPEC })
            .where("agent_id", "=", w.agentA)
            .execute(),
        ),
      delete: async (trx: Trx, w: World) =>
        changed(await trx.deleteFrom("agent_versions").where("agent_id", "=", w.agentA).execute()),
    },
    allowed: { select: READERS, insert: WRITERS, update: NOBODY, delete: NOBODY },
  },
  {
    table: "agent_runs",
    ops: {
      select: async (trx: Trx, w: World) =>
        (await trx.selectFrom("agent_runs").select("id").where("id", "=", w.runA).execute()).length,
      insert: async (trx: Trx, w: World, actor: Actor) =>
        (
          await trx
            .insertInto("agent_runs")
            .values({
              tenant_id: w.tenantA,
              agent_id: w.agentA,
              agent_version: 1,
              created_by: userOf(w, actor),
            })
            .execute()
        ).length,
      // Asking to cancel is the one change a request makes to a run.
      update: async (trx: Trx, w: World) =>
        changed(
          await trx
            .updateTable("agent_runs")
            .set({ cancel_requested_at: new Date() })
            .where("id", "=", w.runA)
            .execute(),
        ),
      delete: async (trx: Trx, w: World) =>
        changed(await trx.deleteFrom("agent_runs").where("id", "=", w.runA).execute()),
    },
    allowed: { select: READERS, insert: WRITERS, update: WRITERS, delete: NOBODY },
  },
  {
    table: "agent_run_steps",
    ops: {
      select: async (trx: Trx, w: World) =>
        (await trx.selectFrom("agent_run_steps").select("id").where("run_id", "=", w.runA).execute()).length,
      insert: async (trx: Trx, w: World) =>
        (
          await trx
            .insertInto("agent_run_steps")
            .values({ tenant_id: w.tenantA, run_id: w.runA, seq: 2, kind: "tool_call", name: "scan_url" })
            .execute()
        ).length,
      update: async (trx: Trx, w: World) =>
        changed(
          await trx
            .updateTable("agent_run_steps")
            .set({ status: "approved" })
            .where("run_id", "=", w.runA)
            .execute(),
        ),
      delete: async (trx: Trx, w: World) =>
        changed(await trx.deleteFrom("agent_run_steps").where("run_id", "=", w.runA).execute()),
    },
    allowed: { select: READERS, insert: NOBODY, update: NOBODY, delete: NOBODY },
  },
];

let database: TestDatabase;
let world: World;

/** An agent published at version 1 with a queued run that has one step, in the given tenant. */
async function agentWithRun(tenantId: string, ownerId: string) {
  return withServiceTx(database.db, async (trx) => {
    const agent = await trx
      .insertInto("agents")
      .values({ tenant_id: tenantId, name: `agent ${randomUUID()}`, draft_spec: SPEC, created_by: ownerId })
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
    const run = await trx
      .insertInto("agent_runs")
      .values({ tenant_id: tenantId, agent_id: agent.id, agent_version: 1 })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("agent_run_steps")
      .values({ tenant_id: tenantId, run_id: run.id, seq: 1, kind: "model_call", name: "offline" })
      .execute();
    return { agentId: agent.id, runId: run.id };
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  const base = await createRlsWorld(database.db);
  const { agentId, runId } = await agentWithRun(base.tenantA, base.users.ownerA);
  world = { ...base, agentA: agentId, runA: runId };
}, 120_000);

afterAll(async () => {
  await database.drop();
});

describeRlsMatrix("agents: RLS matrix", CASES, () => ({ db: database.db, world }));

describe("agents: RLS rules beyond the matrix", () => {
  const as = <T>(actor: Actor, fn: (trx: Trx) => Promise<T>) =>
    withRlsTx(database.db, world.claims[actor], fn);
  const refused = { code: "42501" };

  it("leaves a run's progress to the worker: a writer can't move it on or start it running", async () => {
    for (const set of [
      { status: "succeeded" as const, ended_at: new Date() },
      { input_tokens: 0 },
      { output: "{}" },
    ])
      await expect(
        as("ownerA", (trx) => trx.updateTable("agent_runs").set(set).where("id", "=", world.runA).execute()),
        JSON.stringify(set),
      ).rejects.toMatchObject(refused);
    await expect(
      as("ownerA", (trx) =>
        trx
          .insertInto("agent_runs")
          .values({ tenant_id: world.tenantA, agent_id: world.agentA, agent_version: 1, status: "running" })
          .execute(),
      ),
    ).rejects.toMatchObject(refused);
  });

  it("refuses a run or version of tenant A's agent filed under tenant B", async () => {
    await expect(
      as("ownerB", (trx) =>
        trx
          .insertInto("agent_runs")
          .values({ tenant_id: world.tenantB, agent_id: world.agentA, agent_version: 1 })
          .execute(),
      ),
    ).rejects.toMatchObject({ code: "23503" });
  });
});

describe("agents: agent_run events from requests match the run, the rest are the worker's", () => {
  const emit = (actor: Actor | "service", type: string, subject: string, tenant = world.tenantA) => {
    const call = (trx: Trx) =>
      sql`select private.emit_event(${type}, ${tenant}::uuid, null, ${subject}, '{}'::jsonb, 1)`.execute(trx);
    return actor === "service"
      ? withServiceTx(database.db, call)
      : withRlsTx(database.db, world.claims[actor], call);
  };
  const refused = { code: "42501" };

  it("lets writers emit agent_run.queued (run queued) and cancel_requested (cancel asked)", async () => {
    await expect(emit("memberA", "agent_run.queued", world.runA)).resolves.toBeDefined();
    await expect(emit("keyWriteA", "agent_run.queued", world.runA)).resolves.toBeDefined();
    // Not asked yet: the request would be a lie.
    await expect(emit("memberA", "agent_run.cancel_requested", world.runA)).rejects.toMatchObject(refused);
    await withServiceTx(database.db, (trx) =>
      trx
        .updateTable("agent_runs")
        .set({ cancel_requested_at: new Date() })
        .where("id", "=", world.runA)
        .execute(),
    );
    await expect(emit("memberA", "agent_run.cancel_requested", world.runA)).resolves.toBeDefined();
    await withServiceTx(database.db, (trx) =>
      trx.updateTable("agent_runs").set({ cancel_requested_at: null }).where("id", "=", world.runA).execute(),
    );
  });

  it("refuses every worker event, readers, other tenants and subjects that are not runs", async () => {
    for (const type of [
      "agent_run.started",
      "agent_run.step",
      "agent_run.waiting_approval",
      "agent_run.succeeded",
      "agent_run.failed",
      "agent_run.cancelled",
      "agent_run.budget_exceeded",
    ])
      await expect(emit("ownerA", type, world.runA), type).rejects.toMatchObject(refused);
    for (const actor of ["viewerA", "keyReadA", "ownerB", "anon"] as Actor[])
      await expect(emit(actor, "agent_run.queued", world.runA), actor).rejects.toMatchObject(refused);
    await expect(emit("ownerA", "agent_run.queued", "not-a-run-id")).rejects.toMatchObject(refused);
    await expect(emit("ownerA", "agent_run.queued", randomUUID())).rejects.toMatchObject(refused);
    // The run of tenant B is not one tenant A's owner may speak about, even naming tenant B.
    const ofB = await agentWithRun(world.tenantB, world.users.ownerB);
    await expect(emit("ownerA", "agent_run.queued", ofB.runId)).rejects.toMatchObject(refused);
    await expect(emit("ownerA", "agent_run.queued", ofB.runId, world.tenantB)).rejects.toMatchObject(refused);
    // `_` is no wildcard: a look-alike type is not an agent run event, and other events still pass.
    await expect(emit("memberA", "agentxrun.succeeded", world.runA)).resolves.toBeDefined();
    await expect(emit("memberA", "scan.completed", world.runA)).rejects.toMatchObject(refused);
  });

  it("lets the worker (service role) write every agent_run event", async () => {
    for (const type of ["agent_run.started", "agent_run.step", "agent_run.succeeded"])
      await expect(emit("service", type, world.runA), type).resolves.toBeDefined();
  });
});
