import { readFile } from "node:fs/promises";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRlsTx, withServiceTx, type Db } from "./client";
import { generateSchemaTypes, schemaFile } from "./codegen";
import {
  claimsFor,
  createTestApiKey,
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "./testing";

// Guards that hold for every table in `public`, including ones added later.
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

async function rows<T>(query: ReturnType<typeof sql<T>>): Promise<T[]> {
  return (await query.execute(database.db.kysely)).rows;
}

describe("catalog", () => {
  it("has RLS enabled and at least one policy on every table in public", async () => {
    const tables = await rows<{ table: string; rls: boolean; policies: number }>(sql`
      select c.relname as table, c.relrowsecurity as rls,
             (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relkind in ('r', 'p')
       order by 1`);
    expect(tables.length).toBeGreaterThanOrEqual(7);
    expect(
      tables.filter((t) => !t.rls).map((t) => t.table),
      "tables without RLS",
    ).toEqual([]);
    expect(
      tables.filter((t) => t.policies === 0).map((t) => t.table),
      "tables without a policy",
    ).toEqual([]);
  });

  it("comments every table and column in public (admins read them in the Supabase dashboard)", async () => {
    const missing = await rows<{ object: string }>(sql`
      select c.relname || coalesce('.' || a.attname, '') as object
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
       where n.nspname = 'public' and c.relkind in ('r', 'p')
         and (obj_description(c.oid, 'pg_class') is null or (a.attnum is not null and col_description(c.oid, a.attnum) is null))
       order by 1`);
    expect(missing.map((m) => m.object)).toEqual([]);
  });

  it("wraps auth and helper calls in policies in (select …) so they run once per statement", async () => {
    const policies = await rows<{ policy: string; expr: string }>(sql`
      select c.relname || '.' || p.polname as policy,
             coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') as expr
        from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
       where n.nspname in ('public', 'storage')`);
    const unwrapped = policies.filter(({ expr }) => {
      const calls = expr.match(/(auth\.(uid|jwt|role)|private\.tenant_ids)\(/g) ?? [];
      const wrapped = expr.match(/SELECT (auth\.(uid|jwt|role)|private\.tenant_ids)\(/g) ?? [];
      return calls.length !== wrapped.length;
    });
    expect(unwrapped.map((p) => p.policy)).toEqual([]);
  });

  it("indexes tenant_id and user_id wherever a policy filters on them", async () => {
    const filtered = await rows<{ column: string; indexed: boolean }>(sql`
      select distinct c.relname || '.' || a.attname as column,
             exists (select 1 from pg_index i where i.indrelid = c.oid and i.indkey[0] = a.attnum) as indexed
        from pg_policy p
        join pg_class c on c.oid = p.polrelid
        join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attname in ('tenant_id', 'user_id')
       where n.nspname = 'public'
         and pg_get_expr(p.polqual, p.polrelid) ~ ('\\m' || a.attname || '\\M')`);
    expect(filtered.map((f) => f.column)).toContain("memberships.tenant_id");
    expect(filtered.filter((f) => !f.indexed).map((f) => f.column)).toEqual([]);
  });

  it("pins search_path on every security definer function the migrations define", async () => {
    const unpinned = await rows<{ fn: string }>(sql`
      select n.nspname || '.' || p.proname as fn
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname in ('public', 'private') and p.prosecdef
         and not exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%')`);
    expect(unpinned.map((u) => u.fn)).toEqual([]);
  });

  it("keeps src/schema.ts identical to the types generated from the migrated database", async () => {
    const generated = await generateSchemaTypes(database.url);
    const committed = await readFile(schemaFile, "utf8");
    expect(committed, "src/schema.ts is stale: run `pnpm --filter @techscaniq/db gen:types`").toBe(generated);
  });
});
interface TenantForeignKey {
  name: string;
  child: string;
  parent: string;
  columns: string[];
  referenced: string[];
}

/** Every foreign key between two tables of `public` that both carry tenant_id, from the catalog. */
async function tenantForeignKeys(): Promise<TenantForeignKey[]> {
  return rows<TenantForeignKey>(sql`
    select c.conname as name, cl.relname as child, pl.relname as parent,
           array(select a.attname::text from unnest(c.conkey) with ordinality k(attnum, i)
                   join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.i) as columns,
           array(select a.attname::text from unnest(c.confkey) with ordinality k(attnum, i)
                   join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum order by k.i) as referenced
      from pg_constraint c
      join pg_class cl on cl.oid = c.conrelid join pg_namespace n on n.oid = cl.relnamespace
      join pg_class pl on pl.oid = c.confrelid join pg_namespace pn on pn.oid = pl.relnamespace
     where c.contype = 'f' and n.nspname = 'public' and pn.nspname = 'public'
       and exists (select 1 from pg_attribute a where a.attrelid = c.conrelid and a.attname = 'tenant_id' and not a.attisdropped)
       and exists (select 1 from pg_attribute a where a.attrelid = c.confrelid and a.attname = 'tenant_id' and not a.attisdropped)
     order by 1`);
}

/**
 * Two tenants with a row in every tenant table that references another one.
 * Tenant A's rows are the ones re-pointed at tenant B; tenant B keeps rows
 * nothing references yet (a bare scan, a report without versions, a key), so a
 * re-pointed reference can only fail on the tenant, never on a unique key.
 */
async function seedTwoTenants(db: Db): Promise<{ tenantA: string; tenantB: string }> {
  const [ownerA, ownerB] = [await createTestUser(db), await createTestUser(db)];
  const tenantA = (await createTestTenant(db, ownerA.id)).id;
  const tenantB = (await createTestTenant(db, ownerB.id)).id;
  const keyA = await createTestApiKey(db, tenantA, { scopes: ["write"] });
  await createTestApiKey(db, tenantB, { scopes: ["write"] });
  await withServiceTx(db, async (trx) => {
    const scan = (tenant_id: string, parent_scan_id: string | null = null) =>
      trx
        .insertInto("scans")
        .values({ tenant_id, target_url: "https://a.example/", parent_scan_id })
        .returning("id")
        .executeTakeFirstOrThrow();
    const parentA = await scan(tenantA);
    const scanA = await scan(tenantA, parentA.id);
    const ofA = { tenant_id: tenantA, scan_id: scanA.id };
    await trx
      .insertInto("scan_pages")
      .values({ ...ofA, url: "https://a.example/" })
      .execute();
    await trx
      .insertInto("evidence_items")
      .values({
        ...ofA,
        evidence_id: `ev_${"a".repeat(24)}`,
        kind: "header",
        collector: "http",
        url: "https://a.example/",
        locator: "server",
        snippet: "nginx",
        content_hash: "c".repeat(64),
        observed_at: new Date(),
        confidence: 100,
      })
      .execute();
    await trx
      .insertInto("findings")
      .values({ ...ofA, kind: "technology", finding_key: "nginx", name: "Nginx" })
      .execute();
    await trx
      .insertInto("scan_stage_results")
      .values({ ...ofA, stage: "crawl", output: "{}", duration_ms: 1 })
      .execute();
    const reportA = await trx.insertInto("reports").values(ofA).returning("id").executeTakeFirstOrThrow();
    await trx
      .insertInto("report_versions")
      .values({ ...ofA, report_id: reportA.id, version: 1, content: "{}", compared_scan_id: parentA.id })
      .execute();
    await trx
      .insertInto("ai_usage")
      .values({
        ...ofA,
        report_id: reportA.id,
        task: "writeSection",
        provider: "offline",
        model: "rules",
        latency_ms: 1,
        outcome: "ok",
      })
      .execute();
    await trx
      .insertInto("audit_log")
      .values({ tenant_id: tenantA, actor_api_key_id: keyA.id, action: "seed" })
      .execute();

    const agent = (tenant_id: string, name: string) =>
      trx
        .insertInto("agents")
        .values({ tenant_id, name, draft_spec: "{}" })
        .returning("id")
        .executeTakeFirstOrThrow();
    const agentVersion = (tenant_id: string, agent_id: string, version: number) =>
      trx.insertInto("agent_versions").values({ tenant_id, agent_id, version, spec: "{}" }).execute();
    const agentRun = (tenant_id: string, agent_id: string, retry_of: string | null = null) =>
      trx
        .insertInto("agent_runs")
        .values({ tenant_id, agent_id, agent_version: 1, retry_of })
        .returning("id")
        .executeTakeFirstOrThrow();
    const schedule = (tenant_id: string, agent_id: string) =>
      trx
        .insertInto("agent_schedules")
        .values({ tenant_id, agent_id, cron: "0 9 * * *", timezone: "UTC" })
        .returning("id")
        .executeTakeFirstOrThrow();
    const agentA = await agent(tenantA, "watch");
    await agentVersion(tenantA, agentA.id, 1);
    const scheduleA = await schedule(tenantA, agentA.id);
    await trx
      .insertInto("agent_runs")
      .values({
        tenant_id: tenantA,
        agent_id: agentA.id,
        agent_version: 1,
        trigger: "schedule",
        schedule_id: scheduleA.id,
        slot_at: new Date("2027-01-01T09:00:00Z"),
      })
      .execute();
    const firstRunA = await agentRun(tenantA, agentA.id);
    const retryA = await agentRun(tenantA, agentA.id, firstRunA.id);
    await trx
      .insertInto("agent_run_steps")
      .values({ tenant_id: tenantA, run_id: retryA.id, seq: 1, kind: "tool_call", name: "scan_url" })
      .execute();
    await trx
      .insertInto("ai_usage")
      .values({
        tenant_id: tenantA,
        agent_run_id: retryA.id,
        task: "runAgent",
        provider: "openai",
        model: "gpt-4o-mini",
        latency_ms: 1,
        outcome: "ok",
      })
      .execute();

    const connection = (tenant_id: string) =>
      trx
        .insertInto("integration_connections")
        .values({ tenant_id, provider: "webhook", name: "hook", config: "{}" })
        .returning("id")
        .executeTakeFirstOrThrow();
    const endpoint = (tenant_id: string) =>
      trx
        .insertInto("webhook_endpoints")
        .values({
          tenant_id,
          url: "https://hooks.example/",
          event_types: ["scan.completed"],
          secret_ciphertext: "v1.x",
          secret_last4: "abcd",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
    const delivery = {
      tenant_id: tenantA,
      action: "webhook.event",
      attempt: 1,
      payload: "{}",
      state: "succeeded" as const,
      finished_at: new Date(),
    };
    await trx
      .insertInto("integration_deliveries")
      .values([
        { ...delivery, connection_id: (await connection(tenantA)).id, idempotency_key: "a" },
        { ...delivery, endpoint_id: (await endpoint(tenantA)).id, idempotency_key: "b" },
        {
          ...delivery,
          endpoint_id: (await endpoint(tenantA)).id,
          agent_run_id: retryA.id,
          agent_step_seq: 1,
          idempotency_key: "c",
        },
      ])
      .execute();
    await connection(tenantB);
    await endpoint(tenantB);

    const trigger = (tenant_id: string, agent_id: string) =>
      trx
        .insertInto("agent_triggers")
        .values({ tenant_id, agent_id, event_type: "scan.completed" })
        .returning("id")
        .executeTakeFirstOrThrow();
    const triggerA = await trigger(tenantA, agentA.id);
    await trx
      .insertInto("agent_trigger_firings")
      .values({ tenant_id: tenantA, trigger_id: triggerA.id, event_id: "1", run_id: retryA.id })
      .execute();

    const watchlist = (tenant_id: string, name: string) =>
      trx
        .insertInto("watchlists")
        .values({ tenant_id, name, cron: "0 6 * * *" })
        .returning("id")
        .executeTakeFirstOrThrow();
    const watchlistUrl = (tenant_id: string, watchlist_id: string, scans: object = {}) =>
      trx
        .insertInto("watchlist_urls")
        .values({ tenant_id, watchlist_id, url: "https://a.example/", ...scans })
        .returning("id")
        .executeTakeFirstOrThrow();
    const watchlistA = await watchlist(tenantA, "portfolio");
    const watchedA = await watchlistUrl(tenantA, watchlistA.id, {
      pending_scan_id: scanA.id,
      last_scan_id: parentA.id,
    });
    await trx
      .insertInto("watchlist_changes")
      .values({
        tenant_id: tenantA,
        watchlist_id: watchlistA.id,
        watchlist_url_id: watchedA.id,
        url: "https://a.example/",
        previous_scan_id: parentA.id,
        scan_id: scanA.id,
        kind: "version_changed",
      })
      .execute();

    await scan(tenantB);
    await watchlist(tenantB, "bare");
    await watchlistUrl(tenantB, (await watchlist(tenantB, "portfolio")).id);
    await agent(tenantB, "bare");
    const agentB = await agent(tenantB, "watch");
    await agentVersion(tenantB, agentB.id, 1);
    await agentVersion(tenantB, agentB.id, 2);
    await agentRun(tenantB, agentB.id);
    await trigger(tenantB, agentB.id);
    await schedule(tenantB, agentB.id);
    const reportedB = await scan(tenantB);
    await trx.insertInto("reports").values({ tenant_id: tenantB, scan_id: reportedB.id }).execute();
  });
  return { tenantA, tenantB };
}

describe("trust: tenant boundary 4 — references between tenant tables stay inside the tenant", () => {
  it("includes tenant_id on both sides of every foreign key between tables that carry tenant_id", async () => {
    const keys = await tenantForeignKeys();
    expect(keys.map((k) => k.name)).toContain("scans_parent_scan_id_fkey");
    const unbound = keys.filter((k) => k.columns[k.referenced.indexOf("tenant_id")] !== "tenant_id");
    expect(
      unbound.map((k) => `${k.name}: (${k.columns.join(", ")}) → ${k.parent} (${k.referenced.join(", ")})`),
    ).toEqual([]);
  });

  it("refuses, for every writer including the service role, a reference to another tenant's row through each such key", async () => {
    const { db } = database;
    const { tenantA, tenantB } = await seedTwoTenants(db);
    const keys = await tenantForeignKeys();
    const outcomes: Record<string, string> = {};
    for (const key of keys) {
      const pairs = key.columns
        .map((column, i) => [column, key.referenced[i]!] as const)
        .filter(([column]) => column !== "tenant_id");
      const columns = sql.join(pairs.map(([column]) => sql.ref(`c.${column}`)));
      const referenced = sql.join(pairs.map(([, column]) => sql.ref(`p.${column}`)));
      const setColumns = sql.join(pairs.map(([column]) => sql.ref(column)));
      const child = sql.table(`public.${key.child}`);
      const parent = sql.table(`public.${key.parent}`);
      // A row of tenant A using the key, and a row of tenant B nothing of the child table points at yet.
      const foreignRow = sql`select ${referenced} from ${parent} p where p.tenant_id = ${tenantB}::uuid
                               and not exists (select 1 from ${child} c where (${columns}) = (${referenced}))`;
      const { rows: present } = await sql<{ own: boolean; foreign: boolean }>`
        select exists (select 1 from ${child} c where c.tenant_id = ${tenantA}::uuid and (${columns}) is not null) as own,
               exists (${foreignRow}) as foreign`.execute(db.kysely);
      if (!present[0]!.own || !present[0]!.foreign) {
        outcomes[key.name] =
          `untested: seed a ${key.child} row of tenant A and a free ${key.parent} row of tenant B in seedTwoTenants`;
        continue;
      }
      const repoint = withServiceTx(db, async (trx) => {
        // Row triggers (immutability, updated_at) would answer first; the key is what is under test.
        await sql`alter table ${child} disable trigger user`.execute(trx);
        await sql`update ${child} set (${setColumns}) = (${foreignRow} limit 1)
                   where ctid = (select c.ctid from ${child} c where c.tenant_id = ${tenantA}::uuid and (${columns}) is not null limit 1)`.execute(
          trx,
        );
        throw new Error("accepted");
      });
      outcomes[key.name] = await repoint.then(
        () => "accepted",
        (error: { code?: string; constraint?: string; message: string }) =>
          error.code === "23503" && error.constraint === key.name ? "refused" : error.message,
      );
    }
    expect(Object.keys(outcomes).length).toBeGreaterThanOrEqual(12);
    expect(outcomes).toEqual(Object.fromEntries(keys.map((k) => [k.name, "refused"])));
  });

  it("refuses a member's scan whose parent_scan_id is another tenant's scan, and changes nothing", async () => {
    const { db } = database;
    const [owner, stranger] = [await createTestUser(db), await createTestUser(db)];
    const tenant = await createTestTenant(db, owner.id);
    const other = await createTestTenant(db, stranger.id);
    const foreign = await withServiceTx(db, (trx) =>
      trx
        .insertInto("scans")
        .values({ tenant_id: other.id, target_url: "https://b.example/" })
        .returning("id")
        .executeTakeFirstOrThrow(),
    );
    const rescan = withRlsTx(db, claimsFor(owner.id), (trx) =>
      trx
        .insertInto("scans")
        .values({
          tenant_id: tenant.id,
          created_by: owner.id,
          target_url: "https://b.example/",
          parent_scan_id: foreign.id,
        })
        .execute(),
    );
    await expect(rescan).rejects.toMatchObject({ code: "23503", constraint: "scans_parent_scan_id_fkey" });
    const own = await withServiceTx(db, (trx) =>
      trx.selectFrom("scans").select("id").where("tenant_id", "=", tenant.id).execute(),
    );
    expect(own).toEqual([]);
  });
});
