import { cp, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import bcrypt from "bcryptjs";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import {
  listMigrations,
  migrate,
  MigrationError,
  migrationsDir,
  resetDatabase,
  seed,
  DEMO_USER_EMAIL,
} from "./migrate";
import { createEmptyTestDatabase, createTestDatabase } from "./testing";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emptyDatabase() {
  const database = await createEmptyTestDatabase();
  cleanups.push(database.drop);
  return database.url;
}

async function query<T extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** A copy of the real migrations plus extra files, for failure scenarios. */
async function migrationsWith(extra: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "tsiq-migrations-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await cp(migrationsDir, dir, { recursive: true });
  for (const [name, sql] of Object.entries(extra)) await writeFile(path.join(dir, name), sql);
  return dir;
}

describe("migrate", () => {
  it("applies every migration to a fresh database and records it in the Supabase CLI ledger", async () => {
    const url = await emptyDatabase();
    const files = await listMigrations();
    const result = await migrate(url);
    expect(result.bootstrapped).toBe(true);
    expect(result.applied).toEqual(files.map((f) => f.version));

    const ledger = await query<{ version: string; name: string; statements: string[] }>(
      url,
      "select version, name, statements from supabase_migrations.schema_migrations order by version",
    );
    expect(ledger.map((row) => [row.version, row.name])).toEqual(files.map((f) => [f.version, f.name]));
    expect(ledger[0]!.statements.some((s) => s.startsWith("create table public.tenants"))).toBe(true);
  });

  it("is a no-op when run again", async () => {
    const url = await emptyDatabase();
    await migrate(url);
    const before = await query(
      url,
      "select version from supabase_migrations.schema_migrations order by version",
    );
    const again = await migrate(url);
    expect(again.applied).toEqual([]);
    expect(
      await query(url, "select version from supabase_migrations.schema_migrations order by version"),
    ).toEqual(before);
  });

  it("rolls a failing migration back whole and names the file, line and statement", async () => {
    const url = await emptyDatabase();
    const broken = [
      "create table public.half_done (id int);",
      "",
      "create table public.broken (",
      "  id int,",
      "  nope not_a_type",
      ");",
    ].join("\n");
    const dir = await migrationsWith({ "20991231000000_broken.sql": broken });

    const failure = await migrate(url, { migrationsDir: dir }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrationError);
    const error = failure as MigrationError;
    expect(error.message).toContain("20991231000000_broken.sql");
    expect(error.message).toContain('type "not_a_type" does not exist');
    expect(error.line).toBe(5);
    expect(error.statement).toMatch(/^create table public\.broken/);

    const tables = await query(url, "select 1 from pg_tables where tablename in ('half_done', 'broken')");
    expect(tables).toEqual([]);
    const ledger = await query<{ version: string }>(
      url,
      "select version from supabase_migrations.schema_migrations",
    );
    expect(ledger.map((row) => row.version)).not.toContain("20991231000000");
    // The migrations before it were applied and stay applied.
    expect(ledger).toHaveLength((await readdir(migrationsDir)).length);
  });

  it("reports runtime errors (no position) at the statement's first line", async () => {
    const url = await emptyDatabase();
    const dir = await migrationsWith({
      "20991231000000_dupe.sql": "-- duplicate\n\ncreate table public.tenants (id int);\n",
    });
    const error = (await migrate(url, { migrationsDir: dir }).catch((e: unknown) => e)) as MigrationError;
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.line).toBe(3);
    expect(error.message).toContain('relation "tenants" already exists');
  });

  it("rejects a migration file not named like the Supabase CLI names them", async () => {
    const dir = await migrationsWith({ "add_things.sql": "select 1;" });
    await expect(listMigrations(dir)).rejects.toThrow(
      /add_things\.sql is not named <YYYYMMDDHHMMSS>_<name>\.sql/,
    );
  });

  it("bootstrap leaves objects Supabase already provides alone", async () => {
    const url = await emptyDatabase();
    const fixedUid = "11111111-1111-1111-1111-111111111111";
    await query(
      url,
      `create schema auth;
       create table auth.users (id uuid primary key, email text, provider_extra text not null default 'kept');
       create function auth.uid() returns uuid language sql stable as $$ select '${fixedUid}'::uuid $$;
       create schema storage;
       create table storage.buckets (id text primary key, name text not null, owner uuid, public boolean default false,
         file_size_limit bigint, allowed_mime_types text[], created_at timestamptz default now(),
         updated_at timestamptz default now(), custom boolean default true);`,
    );
    await migrate(url);

    const columns = await query<{ column_name: string }>(
      url,
      "select column_name from information_schema.columns where table_schema = 'auth' and table_name = 'users' order by ordinal_position",
    );
    expect(columns.map((c) => c.column_name)).toEqual(["id", "email", "provider_extra"]);
    expect(await query(url, "select auth.uid() as uid")).toEqual([{ uid: fixedUid }]);
    const bucketColumns = await query<{ column_name: string }>(
      url,
      "select column_name from information_schema.columns where table_schema = 'storage' and table_name = 'buckets'",
    );
    expect(bucketColumns.map((c) => c.column_name)).toContain("custom");
    // Functions it did not find were still created.
    expect(await query(url, "select auth.role() as role")).toEqual([{ role: null }]);
  });

  it("bootstrap defines auth.uid(), auth.role() and auth.jwt() from request.jwt.claims as Supabase does", async () => {
    const url = await emptyDatabase();
    await migrate(url);
    const claims = JSON.stringify({
      sub: "22222222-2222-2222-2222-222222222222",
      role: "authenticated",
      email: "a@b.c",
    });
    const [row] = await query<{ uid: string; role: string; jwt: { email: string }; email: string }>(
      url,
      `select set_config('request.jwt.claims', $1, false), auth.uid() as uid, auth.role() as role, auth.jwt() as jwt, auth.email() as email`,
      [claims],
    );
    expect(row).toMatchObject({
      uid: "22222222-2222-2222-2222-222222222222",
      role: "authenticated",
      email: "a@b.c",
    });
    expect(row!.jwt.email).toBe("a@b.c");
  });
});

describe("resetDatabase", () => {
  it("drops all data and re-applies the migrations", async () => {
    const { url, drop, db } = await createTestDatabase();
    cleanups.push(drop);
    await db.close();
    await query(url, "insert into public.tenants (slug, name) values ('gone-soon', 'Gone')");
    await query(url, "insert into auth.users (email) values ('gone@example.com')");
    await query(
      url,
      "create schema other_app; create table other_app.kept (v int); insert into other_app.kept values (1)",
    );
    const result = await resetDatabase(url);
    expect(result.applied).toEqual((await listMigrations()).map((f) => f.version));
    expect(await query(url, "select slug from public.tenants")).toEqual([]);
    expect(await query(url, "select email from auth.users")).toEqual([]);
    // Schemas the project did not create are not its to drop.
    expect(await query(url, "select v from other_app.kept")).toEqual([{ v: 1 }]);
  });
});

describe("seed", () => {
  it("creates the demo tenant and owner once, returning the password only the first time", async () => {
    const { url, drop, db } = await createTestDatabase();
    cleanups.push(drop);
    await db.close();

    const first = await seed(url);
    expect(first.tenant.slug).toBe("demo");
    expect(first.user.email).toBe(DEMO_USER_EMAIL);
    expect(first.password).toEqual(expect.any(String));
    const [user] = await query<{ encrypted_password: string }>(
      url,
      "select encrypted_password from auth.users where id = $1",
      [first.user.id],
    );
    expect(await bcrypt.compare(first.password!, user!.encrypted_password)).toBe(true);

    const second = await seed(url);
    expect(second).toEqual({ ...first, password: null });
    expect(await query(url, "select count(*)::int as n from public.tenants")).toEqual([{ n: 1 }]);
    expect(await query(url, "select count(*)::int as n from auth.users")).toEqual([{ n: 1 }]);
    expect(await query(url, "select role from public.memberships")).toEqual([{ role: "owner" }]);
  });
});
