import type { Transaction } from "kysely";
import { describe, expect, it } from "vitest";
import { withRlsTx, type Db, type JwtClaims } from "./client";
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
 * `anon`), in a transaction that is always rolled back.
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

  return {
    tenantA: tenantA.id,
    tenantB: tenantB.id,
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
export type RlsOperation<World extends RlsWorld = RlsWorld> = (
  trx: RlsTrx,
  world: World,
  actor: RlsActor,
) => Promise<number>;

export interface RlsTableCase<World extends RlsWorld = RlsWorld, Table extends string = string> {
  table: Table;
  ops: Record<RlsOp, RlsOperation<World>>;
  /** Exactly these callers may succeed; every other cell must be refused. */
  allowed: Record<RlsOp, readonly RlsActor[]>;
}

export type RlsCellOutcome = "allowed" | "denied";

class Rollback extends Error {}

/** Runs one cell in a transaction that is always rolled back, so cells never affect each other. */
export async function runRlsCell<World extends RlsWorld>(
  db: Db,
  world: World,
  operation: RlsOperation<World>,
  actor: RlsActor,
): Promise<RlsCellOutcome> {
  let affected = 0;
  try {
    await withRlsTx(db, world.claims[actor], async (trx) => {
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
 * One test per table × operation, comparing every caller's outcome with the
 * case's `allowed` list. `context` is read when the tests run (after
 * `beforeAll` built the world).
 */
export function describeRlsMatrix<World extends RlsWorld>(
  title: string,
  cases: readonly RlsTableCase<World>[],
  context: () => { db: Db; world: World },
): void {
  describe.each(cases)(`${title}: $table`, (tableCase) => {
    it.each(RLS_OPS)("%s", async (op) => {
      const { db, world } = context();
      const actual: Record<string, RlsCellOutcome> = {};
      const expected: Record<string, RlsCellOutcome> = {};
      for (const actor of RLS_ACTORS) {
        actual[actor] = await runRlsCell(db, world, tableCase.ops[op], actor);
        expected[actor] = tableCase.allowed[op].includes(actor) ? "allowed" : "denied";
      }
      expect(actual).toEqual(expected);
    });
  });
}
