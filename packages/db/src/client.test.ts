import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  constraintName,
  emitEvent,
  EVENTS_CHANNEL,
  isCheckViolation,
  isInsufficientPrivilege,
  isUniqueViolation,
  withRlsTx,
  withServiceTx,
} from "./client";
import { loadDbEnv } from "./env";
import {
  claimsFor,
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "./testing";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("withRlsTx", () => {
  it("sets role, claims and active tenant for the transaction only, as PostgREST does", async () => {
    const user = await createTestUser(database.db);
    const claims = claimsFor(user.id, { email: user.email });
    const seen = await withRlsTx(
      database.db,
      claims,
      async (trx) =>
        (
          await sql<{ role: string; uid: string; email: string; tenant: string; jwt_role: string }>`
            select current_user as role, auth.uid() as uid, auth.jwt() ->> 'email' as email,
                   current_setting('app.tenant_id') as tenant, auth.role() as jwt_role`.execute(trx)
        ).rows[0],
      { tenantId: "00000000-0000-0000-0000-0000000000aa" },
    );
    expect(seen).toEqual({
      role: "authenticated",
      uid: user.id,
      email: user.email,
      tenant: "00000000-0000-0000-0000-0000000000aa",
      jwt_role: "authenticated",
    });

    const after = await withServiceTx(
      database.db,
      async (trx) =>
        (
          await sql<{
            role: string;
            claims: string | null;
          }>`select current_user as role, nullif(current_setting('request.jwt.claims', true), '') as claims`.execute(
            trx,
          )
        ).rows[0],
    );
    expect(after).toEqual({ role: "postgres", claims: null });
  });

  it("runs as anon without claims, and anon reaches no table", async () => {
    const role = await withRlsTx(
      database.db,
      null,
      async (trx) => (await sql<{ r: string }>`select current_user as r`.execute(trx)).rows[0]!.r,
    );
    expect(role).toBe("anon");
    const error = await withRlsTx(database.db, null, (trx) =>
      trx.selectFrom("tenants").selectAll().execute(),
    ).catch((e: unknown) => e);
    expect(isInsufficientPrivilege(error)).toBe(true);
  });
});

describe("emitEvent", () => {
  it("writes the event in the caller's transaction and notifies listeners at commit", async () => {
    const user = await createTestUser(database.db);
    const tenant = await createTestTenant(database.db, user.id);
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    try {
      await listener.query(`listen ${EVENTS_CHANNEL}`);
      const notified = new Promise<string>((resolve) =>
        listener.once("notification", (n) => resolve(n.payload ?? "")),
      );
      const { id } = await withRlsTx(database.db, claimsFor(user.id), (trx) =>
        emitEvent(trx, {
          type: "tenant.renamed",
          tenantId: tenant.id,
          userId: user.id,
          subject: tenant.id,
          data: [1, { a: "b" }],
        }),
      );
      expect(JSON.parse(await notified)).toEqual({
        id: Number(id),
        tenant_id: tenant.id,
        type: "tenant.renamed",
        subject: tenant.id,
      });
      const row = await withServiceTx(database.db, (trx) =>
        trx.selectFrom("events").selectAll().where("id", "=", id).executeTakeFirstOrThrow(),
      );
      expect(row).toMatchObject({ version: 1, user_id: user.id, data: [1, { a: "b" }] });
    } finally {
      await listener.end();
    }
  });

  it("writes nothing when the surrounding transaction fails", async () => {
    const user = await createTestUser(database.db);
    const tenant = await createTestTenant(database.db, user.id);
    await expect(
      withServiceTx(database.db, async (trx) => {
        await emitEvent(trx, { type: "tenant.deleted", tenantId: tenant.id, userId: null, subject: "x" });
        throw new Error("change failed");
      }),
    ).rejects.toThrow("change failed");
    const count = await withServiceTx(database.db, (trx) =>
      trx
        .selectFrom("events")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .where("tenant_id", "=", tenant.id)
        .executeTakeFirstOrThrow(),
    );
    expect(count.n).toBe("0");
  });
});

describe("error helpers", () => {
  it("recognise unique and check violations with the constraint name", async () => {
    const user = await createTestUser(database.db);
    const tenant = await createTestTenant(database.db, user.id);
    const duplicate = await createTestTenant(database.db, user.id, tenant.slug).catch((e: unknown) => e);
    expect(isUniqueViolation(duplicate)).toBe(true);
    expect(constraintName(duplicate)).toBe("tenants_slug_key");
    const badPlan = await withServiceTx(database.db, (trx) =>
      sql`update public.tenants set plan = 'gold' where id = ${tenant.id}`.execute(trx),
    ).catch((e: unknown) => e);
    expect(isCheckViolation(badPlan)).toBe(true);
    expect(constraintName(badPlan)).toBe("tenants_plan_valid");
    expect(isUniqueViolation(new Error("plain"))).toBe(false);
  });
});

describe("test databases", () => {
  it("share one server started by the global setup", () => {
    expect(loadDbEnv().TECHSCANIQ_TEST_PG_URL).toMatch(
      /^postgresql:\/\/postgres:.+@127\.0\.0\.1:\d+\/postgres$/,
    );
  });

  it("are isolated from each other", async () => {
    const other = await createTestDatabase();
    try {
      const user = await createTestUser(other.db);
      await createTestTenant(other.db, user.id, "only-here");
      const here = await withServiceTx(database.db, (trx) =>
        trx.selectFrom("tenants").select("id").where("slug", "=", "only-here").execute(),
      );
      expect(here).toEqual([]);
    } finally {
      await other.drop();
    }
  });

  it("hold 100k tenant rows and serve them through RLS", async () => {
    const scratch = await createTestDatabase();
    try {
      const user = await createTestUser(scratch.db);
      const mine = await createTestTenant(scratch.db, user.id);
      const owners = await Promise.all(Array.from({ length: 9 }, () => createTestUser(scratch.db)));
      const others = await Promise.all(owners.map((owner) => createTestTenant(scratch.db, owner.id)));
      const tenantIds = [mine.id, ...others.map((t) => t.id)];
      await withServiceTx(scratch.db, (trx) =>
        sql`insert into public.events (type, tenant_id, subject, data)
            select 'bulk.row', (${tenantIds}::uuid[])[1 + (n % 10)], 'row ' || n, jsonb_build_object('n', n)
              from generate_series(0, 99999) as n`.execute(trx),
      );
      await withServiceTx(scratch.db, (trx) => sql`analyze public.events`.execute(trx));
      const visible = await withRlsTx(scratch.db, claimsFor(user.id), (trx) =>
        trx
          .selectFrom("events")
          .select((eb) => eb.fn.countAll<string>().as("n"))
          .executeTakeFirstOrThrow(),
      );
      expect(visible.n).toBe("10000");
      // The policy's tenant list is computed once per statement (InitPlan), never per row (SubPlan).
      const plan = await withRlsTx(scratch.db, claimsFor(user.id), async (trx) =>
        (
          await sql<{ "QUERY PLAN": string }>`
            explain select id from public.events where tenant_id = ${mine.id} order by id desc limit 50`.execute(
            trx,
          )
        ).rows
          .map((row) => row["QUERY PLAN"])
          .join("\n"),
      );
      expect(plan).toContain("InitPlan");
      expect(plan).not.toContain("SubPlan");
    } finally {
      await scratch.drop();
    }
  });
});
