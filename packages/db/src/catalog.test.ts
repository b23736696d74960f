import { readFile } from "node:fs/promises";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSchemaTypes, schemaFile } from "./codegen";
import { createTestDatabase, type TestDatabase } from "./testing";

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
    expect(tables.filter((t) => !t.rls).map((t) => t.table), "tables without RLS").toEqual([]);
    expect(tables.filter((t) => t.policies === 0).map((t) => t.table), "tables without a policy").toEqual([]);
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
