import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import { describe, expect, it } from "vitest";
import { withRlsTx, withServiceTx, withTenantAgentTx, type Db, type JwtClaims } from "./client";
import type { Database } from "./schema";
import {
  addTestMember,
  claimsFor,
  claimsForApiKey,
  createTestApiKey,
  createTestTenant,
  createTestUser,
  type TestApiKey,
} from "./testing";

/**
 * The shared harness of the raw-SQL RLS matrices (foundation tables, scan
 * tables, ...): one world of callers and a runner that tries each
 * table × operation × caller cell as PostgREST would, as `authenticated` (or
 * `anon`), in a transaction that is always rolled back. The agent tools'
 * role is a caller too: `agent_runner` scoped to a run of tenant A or B.
 */

export type RlsUserActor = "ownerA" | "adminA" | "memberA" | "viewerA" | "ownerB";
export type RlsKeyActor = "keyAdminA" | "keyWriteA" | "keyReadA" | "revokedKeyA" | "expiredKeyA";
export type RlsActor = RlsUserActor | RlsKeyActor | "anon";

export const RLS_ACTORS: readonly RlsActor[] = [
  "ownerA",
  "adminA",
  "memberA",
  "viewerA",
  "keyAdminA",
  "keyWriteA",
  "keyReadA",
  "ownerB",
  "anon",
  "revokedKeyA",
  "expiredKeyA",
];

/** An agent run's tools (withTenantAgentTx): `agent_runner` for a run of tenant A, or of tenant B. */
export type RlsRunnerActor = "runnerA" | "runnerB";
export const RLS_RUNNER_ACTORS: readonly RlsRunnerActor[] = ["runnerA", "runnerB"];
export type RlsAnyActor = RlsActor | RlsRunnerActor;

export type RlsOp = "select" | "insert" | "update" | "delete";
export const RLS_OPS: readonly RlsOp[] = ["select", "insert", "update", "delete"];

export interface RlsWorld {
  tenantA: string;
  tenantB: string;
  /** The outsider belongs to no tenant. */
  users: Record<RlsUserActor | "outsider", string>;
  keys: Record<RlsKeyActor, TestApiKey>;
  /** `null` is the anonymous caller. */
  claims: Record<RlsActor, JwtClaims | null>;
  /** A published agent of each tenant with a queued run (one step): the runners' scopes. */
  agentRuns: Record<RlsRunnerActor, { agentId: string; runId: string }>;
}

const MATRIX_AGENT_SPEC = JSON.stringify({
  instructions: "x",
  inputSchema: { type: "object" },
  tools: ["scan_url"],
});

/** An agent published at version 1 with a queued run that has one step, in the given tenant. */
export async function createRlsAgentRun(
  db: Db,
  tenantId: string,
  ownerId: string,
): Promise<{ agentId: string; runId: string }> {
  return withServiceTx(db, async (trx) => {
    const agent = await trx
      .insertInto("agents")
      .values({
        tenant_id: tenantId,
        name: `agent ${randomUUID()}`,
        draft_spec: MATRIX_AGENT_SPEC,
        created_by: ownerId,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("agent_versions")
      .values({ tenant_id: tenantId, agent_id: agent.id, version: 1, spec: MATRIX_AGENT_SPEC })
      .execute();
    await trx
      .updateTable("agents")
      .set({ status: "published", current_version: 1 })
      .where("id", "=", agent.id)
      .execute();
    const run = await trx
      .insertInto("agent_runs")
      .values({ tenant_id: tenantId, agent_id: agent.id, agent_version: 1, created_by: ownerId })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("agent_run_steps")
      .values({ tenant_id: tenantId, run_id: run.id, seq: 1, kind: "model_call", name: "offline" })
      .execute();
    return { agentId: agent.id, runId: run.id };
  });
}

/**
 * Tenant A with an owner, admin, member and viewer and admin/write/read API
 * keys plus a revoked and an expired admin key; tenant B with its owner; an
 * outsider in no tenant.
 */
export async function createRlsWorld(db: Db): Promise<RlsWorld> {
  const [ownerA, adminA, memberA, viewerA, ownerB, outsider] = await Promise.all(
    Array.from({ length: 6 }, () => createTestUser(db)),
  );
  const tenantA = await createTestTenant(db, ownerA!.id);
  const tenantB = await createTestTenant(db, ownerB!.id);
  await addTestMember(db, tenantA.id, adminA!.id, "admin");
  await addTestMember(db, tenantA.id, memberA!.id, "member");
  await addTestMember(db, tenantA.id, viewerA!.id, "viewer");

  const keys: Record<RlsKeyActor, TestApiKey> = {
    keyAdminA: await createTestApiKey(db, tenantA.id, { scopes: ["admin", "read"] }),
    keyWriteA: await createTestApiKey(db, tenantA.id, { scopes: ["write", "read"] }),
    keyReadA: await createTestApiKey(db, tenantA.id, { scopes: ["read"] }),
    revokedKeyA: await createTestApiKey(db, tenantA.id, {
      scopes: ["admin"],
      revokedAt: new Date(Date.now() - 1000),
    }),
    expiredKeyA: await createTestApiKey(db, tenantA.id, {
      scopes: ["admin"],
      expiresAt: new Date(Date.now() - 1000),
    }),
  };

  const agentRuns = {
    runnerA: await createRlsAgentRun(db, tenantA.id, ownerA!.id),
    runnerB: await createRlsAgentRun(db, tenantB.id, ownerB!.id),
  };

  return {
    tenantA: tenantA.id,
    tenantB: tenantB.id,
    agentRuns,
    users: {
      ownerA: ownerA!.id,
      adminA: adminA!.id,
      memberA: memberA!.id,
      viewerA: viewerA!.id,
      ownerB: ownerB!.id,
      outsider: outsider!.id,
    },
    keys,
    claims: {
      ownerA: claimsFor(ownerA!.id),
      adminA: claimsFor(adminA!.id),
      memberA: claimsFor(memberA!.id),
      viewerA: claimsFor(viewerA!.id),
      ownerB: claimsFor(ownerB!.id),
      anon: null,
      keyAdminA: claimsForApiKey(keys.keyAdminA),
      keyWriteA: claimsForApiKey(keys.keyWriteA),
      keyReadA: claimsForApiKey(keys.keyReadA),
      // A key's token never falls back to its creator's membership.
      revokedKeyA: claimsForApiKey(keys.revokedKeyA, ownerA!.id),
      expiredKeyA: claimsForApiKey(keys.expiredKeyA, ownerA!.id),
    },
  };
}

export type RlsTrx = Transaction<Database>;
/** An operation returns how many rows it saw or changed; a refusal throws or returns 0. */
export type RlsOperation<World extends RlsWorld = RlsWorld, Actor extends RlsAnyActor = RlsActor> = (
  trx: RlsTrx,
  world: World,
  actor: Actor,
) => Promise<number>;

export interface RlsTableCase<
  World extends RlsWorld = RlsWorld,
  Table extends string = string,
  Actor extends RlsAnyActor = RlsActor,
> {
  table: Table;
  ops: Record<RlsOp, RlsOperation<World, Actor>>;
  /** Exactly these callers may succeed; every other cell must be refused. */
  allowed: Record<RlsOp, readonly Actor[]>;
}

const isRunner = (actor: RlsAnyActor): actor is RlsRunnerActor =>
  (RLS_RUNNER_ACTORS as readonly string[]).includes(actor);

/** Runs `fn` as the caller: a request with its claims, or an agent run's tools in their run's scope. */
export function asRlsActor<T>(
  db: Db,
  world: RlsWorld,
  actor: RlsAnyActor,
  fn: (trx: RlsTrx) => Promise<T>,
): Promise<T> {
  if (!isRunner(actor)) return withRlsTx(db, world.claims[actor], fn);
  const tenantId = actor === "runnerA" ? world.tenantA : world.tenantB;
  return withTenantAgentTx(db, { tenantId, runId: world.agentRuns[actor].runId }, fn);
}

export type RlsCellOutcome = "allowed" | "denied";

class Rollback extends Error {}

/** Runs one cell in a transaction that is always rolled back, so cells never affect each other. */
export async function runRlsCell<World extends RlsWorld, Actor extends RlsAnyActor = RlsActor>(
  db: Db,
  world: World,
  operation: RlsOperation<World, Actor>,
  actor: Actor,
): Promise<RlsCellOutcome> {
  let affected = 0;
  try {
    await asRlsActor(db, world, actor, async (trx) => {
      affected = await operation(trx, world, actor);
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) {
      const code = (error as { code?: string }).code;
      // 42501: no privilege or a row refused by a policy. Anything else is a broken test.
      if (code !== "42501") throw error;
      return "denied";
    }
  }
  return affected > 0 ? "allowed" : "denied";
}

/**
 * One test per table × operation, comparing every caller's outcome (`actors`: the request callers,
 * or RLS_RUNNER_ACTORS) with the case's `allowed` list. `context` is read when the tests run (after
 * `beforeAll` built the world).
 */
export function describeRlsMatrix<World extends RlsWorld, Actor extends RlsAnyActor = RlsActor>(
  title: string,
  cases: readonly RlsTableCase<World, string, Actor>[],
  context: () => { db: Db; world: World },
  actors: readonly Actor[] = RLS_ACTORS as readonly RlsAnyActor[] as readonly Actor[],
): void {
  describe.each(cases)(`${title}: $table`, (tableCase) => {
    it.each(RLS_OPS)("%s", async (op) => {
      const { db, world } = context();
      const actual: Record<string, RlsCellOutcome> = {};
      const expected: Record<string, RlsCellOutcome> = {};
      for (const actor of actors) {
        actual[actor] = await runRlsCell(db, world, tableCase.ops[op], actor);
        expected[actor] = tableCase.allowed[op].includes(actor) ? "allowed" : "denied";
      }
      expect(actual).toEqual(expected);
    });
  });
}
