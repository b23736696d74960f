import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRlsTx, withServiceTx } from "./client";
import {
  createRlsWorld,
  describeRlsMatrix,
  runRlsCell,
  type RlsActor as Actor,
  type RlsOp as Op,
  type RlsOperation,
  type RlsTableCase,
  type RlsTrx as Trx,
  type RlsWorld,
} from "./rls-matrix";
import {
  addTestMember,
  claimsFor,
  claimsForApiKey,
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "./testing";
import type { Database } from "./schema";

/**
 * The raw-SQL RLS matrix: every table × every kind of caller × every
 * operation, run as `authenticated` exactly as PostgREST runs requests.
 * Exactly the cells listed in `allowed` may succeed. To cover a new table,
 * add a TableCase.
 */

interface World extends RlsWorld {
  /** Rows of tenant A the update/delete/select cells aim at. */
  rows: {
    apiKeyA: string;
    eventA: string;
    auditA: string;
    sessionOfMemberA: string;
    membershipOfMemberA: string;
    invitationA: string;
  };
}

type Operation = RlsOperation<World>;
type TableCase = RlsTableCase<World, keyof Database>;

const A_MEMBERS: Actor[] = ["ownerA", "adminA", "memberA", "viewerA"];
const A_KEYS: Actor[] = ["keyAdminA", "keyWriteA", "keyReadA"];
const A_MANAGERS: Actor[] = ["ownerA", "adminA", "keyAdminA"];
const NOBODY: Actor[] = [];

const count = (
  result:
    | { numUpdatedRows?: bigint; numDeletedRows?: bigint }[]
    | { numUpdatedRows: bigint }
    | { numDeletedRows: bigint },
) => {
  const first = Array.isArray(result) ? result[0] : result;
  return Number((first && ("numUpdatedRows" in first ? first.numUpdatedRows : first.numDeletedRows)) ?? 0);
};
const isUser = (actor: Actor) => !actor.toLowerCase().includes("key") && actor !== "anon";
const hexHash = () => createHash("sha256").update(randomBytes(16)).digest("hex");

const CASES: TableCase[] = [
  {
    table: "tenants",
    ops: {
      select: async (trx, w) =>
        (await trx.selectFrom("tenants").select("id").where("id", "=", w.tenantA).execute()).length,
      insert: async (trx) =>
        (
          await trx
            .insertInto("tenants")
            .values({ slug: `x-${randomBytes(4).toString("hex")}`, name: "X" })
            .execute()
        ).length,
      update: async (trx, w) =>
        count(
          await trx.updateTable("tenants").set({ name: "Renamed" }).where("id", "=", w.tenantA).execute(),
        ),
      delete: async (trx, w) => count(await trx.deleteFrom("tenants").where("id", "=", w.tenantA).execute()),
    },
    allowed: { select: [...A_MEMBERS, ...A_KEYS], insert: NOBODY, update: A_MANAGERS, delete: ["ownerA"] },
  },
  {
    table: "memberships",
    ops: {
      select: async (trx, w) =>
        (
          await trx
            .selectFrom("memberships")
            .select("id")
            .where("id", "=", w.rows.membershipOfMemberA)
            .execute()
        ).length,
      insert: async (trx, w) =>
        (
          await trx
            .insertInto("memberships")
            .values({ tenant_id: w.tenantA, user_id: w.users.outsider, role: "member" })
            .execute()
        ).length,
      update: async (trx, w) =>
        count(
          await trx
            .updateTable("memberships")
            .set({ role: "viewer" })
            .where("id", "=", w.rows.membershipOfMemberA)
            .execute(),
        ),
      delete: async (trx, w) =>
        count(await trx.deleteFrom("memberships").where("id", "=", w.rows.membershipOfMemberA).execute()),
    },
    allowed: {
      select: [...A_MEMBERS, ...A_KEYS],
      insert: A_MANAGERS,
      update: A_MANAGERS,
      delete: A_MANAGERS,
    },
  },
  {
    table: "api_keys",
    ops: {
      select: async (trx, w) =>
        (await trx.selectFrom("api_keys").select("id").where("id", "=", w.rows.apiKeyA).execute()).length,
      insert: async (trx, w, actor) =>
        (
          await trx
            .insertInto("api_keys")
            .values({
              tenant_id: w.tenantA,
              name: "new",
              prefix: `tsiq_${randomBytes(6).toString("hex")}`,
              secret_hash: hexHash(),
              scopes: ["read"],
              created_by: isUser(actor) ? (w.claims[actor]!.sub ?? null) : null,
            })
            .execute()
        ).length,
      update: async (trx, w) =>
        count(
          await trx
            .updateTable("api_keys")
            .set({ revoked_at: new Date() })
            .where("id", "=", w.rows.apiKeyA)
            .execute(),
        ),
      delete: async (trx, w) =>
        count(await trx.deleteFrom("api_keys").where("id", "=", w.rows.apiKeyA).execute()),
    },
    allowed: { select: A_MANAGERS, insert: A_MANAGERS, update: A_MANAGERS, delete: NOBODY },
  },
  {
    table: "sessions",
    ops: {
      select: async (trx, w) =>
        (await trx.selectFrom("sessions").select("id").where("id", "=", w.rows.sessionOfMemberA).execute())
          .length,
      insert: async (trx, w, actor) =>
        (
          await trx
            .insertInto("sessions")
            .values({
              user_id: isUser(actor) ? w.users[actor as "memberA"] : w.users.memberA,
              refresh_token_hash: hexHash(),
              expires_at: new Date(Date.now() + 3_600_000),
            })
            .execute()
        ).length,
      update: async (trx, w) =>
        count(
          await trx
            .updateTable("sessions")
            .set({ revoked_at: new Date() })
            .where("id", "=", w.rows.sessionOfMemberA)
            .execute(),
        ),
      delete: async (trx, w) =>
        count(await trx.deleteFrom("sessions").where("id", "=", w.rows.sessionOfMemberA).execute()),
    },
    // User-owned: each user reads their own sessions; only the server writes them.
    allowed: { select: ["memberA"], insert: NOBODY, update: NOBODY, delete: NOBODY },
  },
  {
    table: "events",
    ops: {
      select: async (trx, w) =>
        (await trx.selectFrom("events").select("id").where("id", "=", w.rows.eventA).execute()).length,
      insert: async (trx, w, actor) =>
        (
          await trx
            .insertInto("events")
            .values({
              type: "test.happened",
              tenant_id: w.tenantA,
              user_id: isUser(actor) ? (w.claims[actor]!.sub ?? null) : null,
              subject: "s",
            })
            .execute()
        ).length,
      update: async (trx, w) =>
        count(
          await trx
            .updateTable("events")
            .set({ subject: "changed" })
            .where("id", "=", w.rows.eventA)
            .execute(),
        ),
      delete: async (trx, w) =>
        count(await trx.deleteFrom("events").where("id", "=", w.rows.eventA).execute()),
    },
    // Written only through private.emit_event (see "trust: tenant boundary 5" below).
    allowed: { select: [...A_MEMBERS, ...A_KEYS], insert: NOBODY, update: NOBODY, delete: NOBODY },
  },
  {
    table: "audit_log",
    ops: {
      select: async (trx, w) =>
        (await trx.selectFrom("audit_log").select("id").where("id", "=", w.rows.auditA).execute()).length,
      insert: async (trx, w, actor) =>
        (
          await trx
            .insertInto("audit_log")
            .values({
              tenant_id: w.tenantA,
              actor_user_id: isUser(actor) ? (w.claims[actor]!.sub ?? null) : null,
              action: "test.action",
            })
            .execute()
        ).length,
      update: async (trx, w) =>
        count(
          await trx
            .updateTable("audit_log")
            .set({ action: "changed" })
            .where("id", "=", w.rows.auditA)
            .execute(),
        ),
      delete: async (trx, w) =>
        count(await trx.deleteFrom("audit_log").where("id", "=", w.rows.auditA).execute()),
    },
    // Written only through private.write_audit (see "trust: tenant boundary 5" below).
    allowed: { select: A_MANAGERS, insert: NOBODY, update: NOBODY, delete: NOBODY },
  },
  {
    table: "worker_heartbeats",
    ops: {
      select: async (trx) =>
        (
          await trx
            .selectFrom("worker_heartbeats")
            .select("worker_id")
            .where("worker_id", "=", "w-1")
            .execute()
        ).length,
      insert: async (trx) =>
        (
          await trx
            .insertInto("worker_heartbeats")
            .values({ worker_id: `w-${randomUUID()}`, hostname: "h", pid: 1 })
            .execute()
        ).length,
      update: async (trx) =>
        count(
          await trx
            .updateTable("worker_heartbeats")
            .set({ last_seen_at: new Date() })
            .where("worker_id", "=", "w-1")
            .execute(),
        ),
      delete: async (trx) =>
        count(await trx.deleteFrom("worker_heartbeats").where("worker_id", "=", "w-1").execute()),
    },
    allowed: { select: NOBODY, insert: NOBODY, update: NOBODY, delete: NOBODY },
  },
  {
    table: "tenant_ai_settings",
    ops: {
      select: async (trx, w) =>
        (
          await trx
            .selectFrom("tenant_ai_settings")
            .select("tenant_id")
            .where("tenant_id", "=", w.tenantA)
            .execute()
        ).length,
      // Tenant A already has its row (seeded), so "insert" is the API's upsert: insert, or update on conflict.
      insert: async (trx, w, actor) =>
        (
          await trx
            .insertInto("tenant_ai_settings")
            .values({
              tenant_id: w.tenantA,
              report_token_budget: 20_000,
              updated_by: isUser(actor) ? w.users[actor as keyof World["users"]] : null,
            })
            .onConflict((conflict) =>
              conflict.column("tenant_id").doUpdateSet({ report_token_budget: 20_000 }),
            )
            .returning("tenant_id")
            .execute()
        ).length,
      update: async (trx, w) =>
        count(
          await trx
            .updateTable("tenant_ai_settings")
            .set({ openai_model: "gpt-4o", openai_key_ciphertext: null, openai_key_last4: null })
            .where("tenant_id", "=", w.tenantA)
            .execute(),
        ),
      delete: async (trx, w) =>
        count(await trx.deleteFrom("tenant_ai_settings").where("tenant_id", "=", w.tenantA).execute()),
    },
    allowed: { select: A_MANAGERS, insert: A_MANAGERS, update: A_MANAGERS, delete: NOBODY },
  },
  {
    table: "invitations",
    ops: {
      select: async (trx, w) =>
        (await trx.selectFrom("invitations").select("id").where("id", "=", w.rows.invitationA).execute())
          .length,
      insert: async (trx, w, actor) =>
        (
          await trx
            .insertInto("invitations")
            .values({
              tenant_id: w.tenantA,
              email: `new-${randomBytes(4).toString("hex")}@example.com`,
              role: "member",
              invited_by: isUser(actor) ? w.users[actor as keyof World["users"]] : null,
            })
            .execute()
        ).length,
      update: async (trx, w) =>
        count(
          await trx
            .updateTable("invitations")
            .set({ revoked_at: new Date() })
            .where("id", "=", w.rows.invitationA)
            .execute(),
        ),
      delete: async (trx, w) =>
        count(await trx.deleteFrom("invitations").where("id", "=", w.rows.invitationA).execute()),
    },
    allowed: { select: A_MANAGERS, insert: A_MANAGERS, update: A_MANAGERS, delete: NOBODY },
  },
];

let database: TestDatabase;
let world: World;

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const base = await createRlsWorld(db);
  const { tenantA, users } = base;

  const rows = await withServiceTx(db, async (trx) => {
    const event = await trx
      .insertInto("events")
      .values({ type: "test.seeded", tenant_id: tenantA, user_id: null, subject: "seed" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const audit = await trx
      .insertInto("audit_log")
      .values({ tenant_id: tenantA, action: "seed" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const session = await trx
      .insertInto("sessions")
      .values({
        user_id: users.memberA,
        refresh_token_hash: hexHash(),
        expires_at: new Date(Date.now() + 3_600_000),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const membership = await trx
      .selectFrom("memberships")
      .select("id")
      .where("user_id", "=", users.memberA)
      .executeTakeFirstOrThrow();
    await trx.insertInto("worker_heartbeats").values({ worker_id: "w-1", hostname: "h", pid: 1 }).execute();
    await trx
      .insertInto("tenant_ai_settings")
      .values({
        tenant_id: tenantA,
        openai_key_ciphertext: "v1.iv.tag.ciphertext",
        openai_key_last4: "wxyz",
        openai_model: "gpt-4o-mini",
      })
      .execute();
    const invitation = await trx
      .insertInto("invitations")
      .values({ tenant_id: tenantA, email: "invitee-of-a@example.com", role: "member" })
      .returning("id")
      .executeTakeFirstOrThrow();
    return {
      apiKeyA: base.keys.keyReadA.id,
      eventA: event.id,
      auditA: String(audit.id),
      sessionOfMemberA: session.id,
      membershipOfMemberA: membership.id,
      invitationA: invitation.id,
    };
  });

  world = { ...base, rows };
});

afterAll(() => database.drop());

/** One cell against this file's world. */
const cell = (op: Operation, actor: Actor) => runRlsCell(database.db, world, op, actor);

describeRlsMatrix("RLS matrix", CASES, () => ({ db: database.db, world }));

describe("RLS rules beyond the matrix", () => {
  const as = <T>(actor: Actor, fn: (trx: Trx) => Promise<T>) =>
    withRlsTx(database.db, world.claims[actor], fn);

  it("covers every table in public with a matrix case or a dedicated test", async () => {
    const { rows } = await sql<{ table: string }>`
      select c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname = any (${CASES.map((c) => c.table)})`.execute(
      database.db.kysely,
    );
    expect(rows).toHaveLength(CASES.length);
  });

  it("lets a viewer read but not write tenant data", async () => {
    expect(await cell(CASES[0]!.ops.select, "viewerA")).toBe("allowed");
    for (const table of CASES) {
      for (const op of ["insert", "update", "delete"] as Op[])
        expect(await cell(table.ops[op], "viewerA"), `${table.table} ${op}`).toBe("denied");
    }
  });

  it("shows an invitation only to its invitee with a confirmed address, never to their API key", async () => {
    const { db } = database;
    const invitee = await createTestUser(db);
    const invitation = await withServiceTx(db, (trx) =>
      trx
        .insertInto("invitations")
        .values({ tenant_id: world.tenantB, email: invitee.email, role: "member" })
        .returning("id")
        .executeTakeFirstOrThrow(),
    );
    const seen = (claims: Parameters<typeof withRlsTx>[1]) =>
      withRlsTx(
        db,
        claims,
        async (trx) =>
          (await trx.selectFrom("invitations").select("id").where("id", "=", invitation.id).execute()).length,
      );
    expect(await seen(claimsFor(invitee.id))).toBe(1);
    expect(await seen(world.claims.ownerA)).toBe(0);
    expect(await seen(claimsForApiKey(world.keys.keyAdminA, invitee.id))).toBe(0);

    await db.kysely
      .updateTable("auth.users")
      .set({ email_confirmed_at: null })
      .where("id", "=", invitee.id)
      .execute();
    expect(await seen(claimsFor(invitee.id))).toBe(0);
    await expect(
      withRlsTx(db, claimsFor(invitee.id), (trx) =>
        sql`select public.accept_invitation(${invitation.id}::uuid)`.execute(trx),
      ),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("lets only owners grant or change the owner role", async () => {
    const makeOwner = (trx: Trx) =>
      trx
        .updateTable("memberships")
        .set({ role: "owner" })
        .where("id", "=", world.rows.membershipOfMemberA)
        .execute();
    await expect(as("adminA", makeOwner)).rejects.toMatchObject({ code: "42501" });
    const demoteOwner = (trx: Trx) =>
      trx
        .updateTable("memberships")
        .set({ role: "member" })
        .where("user_id", "=", world.users.ownerA)
        .where("tenant_id", "=", world.tenantA)
        .execute();
    expect(count(await as("adminA", demoteOwner))).toBe(0);
    expect(await cell(async (trx) => count(await makeOwner(trx)), "ownerA")).toBe("allowed");
  });

  it("refuses to remove or demote the last owner, but deleting the tenant still cascades", async () => {
    const { db } = database;
    const owner = await createTestUser(db);
    const tenant = await createTestTenant(db, owner.id);
    const claims = claimsFor(owner.id);
    const demote = withRlsTx(db, claims, (trx) =>
      trx.updateTable("memberships").set({ role: "admin" }).where("tenant_id", "=", tenant.id).execute(),
    );
    await expect(demote).rejects.toMatchObject({ code: "23514", constraint: "memberships_last_owner" });
    const leave = withRlsTx(db, claims, (trx) =>
      trx.deleteFrom("memberships").where("tenant_id", "=", tenant.id).execute(),
    );
    await expect(leave).rejects.toMatchObject({ code: "23514" });

    const second = await createTestUser(db);
    await addTestMember(db, tenant.id, second.id, "owner");
    await withRlsTx(db, claims, (trx) =>
      trx
        .updateTable("memberships")
        .set({ role: "admin" })
        .where("user_id", "=", owner.id)
        .where("tenant_id", "=", tenant.id)
        .execute(),
    );

    await withRlsTx(db, claimsFor(second.id), (trx) =>
      trx.deleteFrom("tenants").where("id", "=", tenant.id).execute(),
    );
    const left = await withServiceTx(db, (trx) =>
      trx.selectFrom("memberships").select("id").where("tenant_id", "=", tenant.id).execute(),
    );
    expect(left).toEqual([]);
  });

  it("creates tenants only through create_tenant, owned by the signed-in caller", async () => {
    const user = await createTestUser(database.db);
    const tenant = await withRlsTx(database.db, claimsFor(user.id), async (trx) => {
      const { rows } = await sql<{
        id: string;
        slug: string;
      }>`select id, slug from public.create_tenant('acme-co', 'Acme')`.execute(trx);
      return rows[0]!;
    });
    expect(tenant.slug).toBe("acme-co");
    const role = await withRlsTx(
      database.db,
      claimsFor(user.id),
      async (trx) =>
        (await sql<{ role: string }>`select private.tenant_role(${tenant.id}::uuid) as role`.execute(trx))
          .rows[0]!.role,
    );
    expect(role).toBe("owner");

    await expect(
      withRlsTx(database.db, null, (trx) => sql`select public.create_tenant('anon-co', 'Anon')`.execute(trx)),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      as("keyAdminA", (trx) => sql`select public.create_tenant('key-co', 'Key')`.execute(trx)),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      withRlsTx(database.db, claimsFor(user.id), (trx) =>
        sql`select public.create_tenant('Bad Slug!', 'Bad')`.execute(trx),
      ),
    ).rejects.toMatchObject({ code: "23514", constraint: "tenants_slug_format" });
  });

  it("maps API key scopes to roles and refuses malformed key ids", async () => {
    const roleOf = (actor: Actor) =>
      as(
        actor,
        async (trx) =>
          (
            await sql<{
              role: string | null;
            }>`select private.tenant_role(${world.tenantA}::uuid) as role`.execute(trx)
          ).rows[0]!.role,
      );
    expect(await roleOf("keyAdminA")).toBe("admin");
    expect(await roleOf("keyWriteA")).toBe("member");
    expect(await roleOf("keyReadA")).toBe("viewer");
    expect(await roleOf("revokedKeyA")).toBeNull();
    expect(await roleOf("expiredKeyA")).toBeNull();
    const malformed = claimsFor(world.users.ownerA, { app_metadata: { api_key_id: "not-a-uuid" } });
    const role = await withRlsTx(
      database.db,
      malformed,
      async (trx) =>
        (
          await sql<{
            role: string | null;
          }>`select private.tenant_role(${world.tenantA}::uuid) as role`.execute(trx)
        ).rows[0]!.role,
    );
    expect(role).toBeNull();
  });

  it("never lets authenticated callers read AI key ciphertext; every member reads the redacted settings", async () => {
    const readCiphertext = (trx: Trx) =>
      trx
        .selectFrom("tenant_ai_settings")
        .select("openai_key_ciphertext")
        .where("tenant_id", "=", world.tenantA)
        .execute();
    await expect(as("ownerA", readCiphertext)).rejects.toMatchObject({ code: "42501" });
    const redacted = (actor: Actor) =>
      as(
        actor,
        async (trx) =>
          (
            await sql<
              Record<string, unknown>
            >`select * from public.tenant_ai_settings_redacted(${world.tenantA}::uuid)`.execute(trx)
          ).rows,
      );
    for (const actor of ["ownerA", "memberA", "viewerA", "keyReadA"] as Actor[]) {
      const rows = await redacted(actor);
      expect(rows, actor).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        openai_key_set: true,
        openai_key_last4: "wxyz",
        openai_model: "gpt-4o-mini",
      });
      expect(
        Object.keys(rows[0]!).some((column) => column.includes("ciphertext")),
        actor,
      ).toBe(false);
    }
    for (const actor of ["ownerB", "revokedKeyA"] as Actor[])
      expect(await redacted(actor), actor).toEqual([]);
    await expect(redacted("anon")).rejects.toMatchObject({ code: "42501" });
  });

  it("gives the service_role claim full access, as Supabase's service key does", async () => {
    const seen = await withRlsTx(database.db, { role: "service_role" }, (trx) =>
      trx.selectFrom("worker_heartbeats").select("worker_id").execute(),
    );
    expect(seen.map((r) => r.worker_id)).toContain("w-1");
  });
});
describe("trust: tenant boundary 5 — events and audit_log are written only by trusted code", () => {
  const as = <T>(actor: Actor, fn: (trx: Trx) => Promise<T>) =>
    withRlsTx(database.db, world.claims[actor], fn);
  let running: string;
  let cancelled: string;
  let cancelledOfB: string;

  beforeAll(async () => {
    const scan = (tenantId: string, status: "running" | "cancelled") =>
      withServiceTx(database.db, (trx) =>
        trx
          .insertInto("scans")
          .values({ tenant_id: tenantId, target_url: "https://a.example/", status })
          .returning("id")
          .executeTakeFirstOrThrow(),
      );
    running = (await scan(world.tenantA, "running")).id;
    cancelled = (await scan(world.tenantA, "cancelled")).id;
    cancelledOfB = (await scan(world.tenantB, "cancelled")).id;
  });

  const emit =
    (type: string, subject: string, opts: { tenant?: string | null; user?: string | null } = {}) =>
    (trx: Trx) =>
      sql<{
        id: string;
      }>`select private.emit_event(${type}, ${opts.tenant === undefined ? world.tenantA : opts.tenant}::uuid,
                                                 ${opts.user ?? null}::uuid, ${subject}, '{}'::jsonb, 1)::text as id`.execute(
        trx,
      );
  const audit = (tenant: string) => (trx: Trx) =>
    sql<{
      id: string;
    }>`select private.write_audit(${tenant}::uuid, 'test.action', null, '{}'::jsonb, 'req-1')::text as id`.execute(
      trx,
    );
  const refused = { code: "42501" };

  it("keeps the trusted functions out of PostgREST: schema private is not exposed", async () => {
    const config = await readFile(new URL("../../../supabase/config.toml", import.meta.url), "utf8");
    const exposed = /^\[api\][^[]*?^schemas\s*=\s*\[([^\]]*)\]/m.exec(config)?.[1];
    expect(exposed, "supabase/config.toml [api] schemas").toBeDefined();
    expect(exposed).not.toMatch(/"private"/);
  });

  it("refuses a viewer's direct insert of a scan.completed event or an audit entry", async () => {
    const forged = { type: "scan.completed", tenant_id: world.tenantA, user_id: null, subject: running };
    await expect(
      as("viewerA", (trx) => trx.insertInto("events").values(forged).execute()),
    ).rejects.toMatchObject(refused);
    await expect(
      as("ownerA", (trx) => trx.insertInto("events").values(forged).execute()),
    ).rejects.toMatchObject(refused);
    await expect(
      as("viewerA", (trx) =>
        trx
          .insertInto("audit_log")
          .values({ tenant_id: world.tenantA, actor_user_id: world.users.viewerA, action: "x" })
          .execute(),
      ),
    ).rejects.toMatchObject(refused);
  });

  it("emits through private.emit_event only as a member of the tenant, attributed to the caller or nobody", async () => {
    const { rows } = await as("memberA", emit("test.happened", "s", { user: world.users.memberA }));
    const row = await withServiceTx(database.db, (trx) =>
      trx
        .selectFrom("events")
        .select(["tenant_id", "user_id", "type"])
        .where("id", "=", rows[0]!.id)
        .executeTakeFirstOrThrow(),
    );
    expect(row).toEqual({ tenant_id: world.tenantA, user_id: world.users.memberA, type: "test.happened" });
    expect((await as("keyWriteA", emit("test.happened", "s"))).rows).toHaveLength(1);
    for (const actor of ["ownerB", "revokedKeyA", "expiredKeyA", "anon"] as Actor[]) {
      await expect(as(actor, emit("test.happened", "s")), actor).rejects.toMatchObject(refused);
    }
    await expect(
      as("memberA", emit("test.happened", "s", { user: world.users.ownerA })),
    ).rejects.toMatchObject(refused);
    await expect(as("memberA", emit("test.happened", "s", { tenant: null }))).rejects.toMatchObject(refused);
    await expect(as("ownerB", emit("test.happened", "s", { tenant: world.tenantA }))).rejects.toMatchObject(
      refused,
    );
  });

  it("leaves the worker's lifecycle events to the service role: no member can end a stream with a made-up event", async () => {
    for (const type of [
      "scan.completed",
      "scan.failed",
      "scan.progress",
      "scan.cancelled",
      "scan.deleted",
      "scan.queued",
    ]) {
      await expect(as("ownerA", emit(type, running)), type).rejects.toMatchObject(refused);
    }
    await expect(as("ownerA", emit("report.ready", running))).rejects.toMatchObject(refused);
    await expect(as("ownerA", emit("scan.cancelled", "not-a-scan-id"))).rejects.toMatchObject(refused);
    await expect(as("ownerA", emit("scan.cancelled", cancelledOfB))).rejects.toMatchObject(refused);
    for (const actor of ["viewerA", "keyReadA"] as Actor[]) {
      await expect(as(actor, emit("scan.cancelled", cancelled)), actor).rejects.toMatchObject(refused);
    }
    // What the API itself emits, matching the scan as it now is, still goes through.
    expect((await as("memberA", emit("scan.cancelled", cancelled))).rows).toHaveLength(1);
    expect((await as("memberA", emit("scan.deleted", randomUUID()))).rows).toHaveLength(1);
    // The worker (service role) writes any event.
    expect((await withServiceTx(database.db, emit("scan.completed", running))).rows).toHaveLength(1);
    expect(
      (await withRlsTx(database.db, { role: "service_role" }, emit("report.ready", running))).rows,
    ).toHaveLength(1);
  });

  it("writes audit entries through private.write_audit with the actor taken from the caller's claims", async () => {
    const entry = async (id: string) =>
      withServiceTx(database.db, (trx) =>
        trx
          .selectFrom("audit_log")
          .select(["tenant_id", "actor_user_id", "actor_api_key_id"])
          .where("id", "=", id)
          .executeTakeFirstOrThrow(),
      );
    const byMember = (await as("memberA", audit(world.tenantA))).rows[0]!.id;
    expect(await entry(byMember)).toEqual({
      tenant_id: world.tenantA,
      actor_user_id: world.users.memberA,
      actor_api_key_id: null,
    });
    const byKey = (await as("keyWriteA", audit(world.tenantA))).rows[0]!.id;
    expect(await entry(byKey)).toEqual({
      tenant_id: world.tenantA,
      actor_user_id: null,
      actor_api_key_id: world.keys.keyWriteA.id,
    });
    const byOperator = (await withServiceTx(database.db, audit(world.tenantA))).rows[0]!.id;
    expect(await entry(byOperator)).toEqual({
      tenant_id: world.tenantA,
      actor_user_id: null,
      actor_api_key_id: null,
    });
    for (const actor of ["ownerB", "revokedKeyA", "anon"] as Actor[]) {
      await expect(as(actor, audit(world.tenantA)), actor).rejects.toMatchObject(refused);
    }
  });
});
