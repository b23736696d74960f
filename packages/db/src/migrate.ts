import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import bcrypt from "bcryptjs";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { Logger, runMigrations } from "graphile-worker";
import { repoRoot } from "./env";
import { lineAt, splitSqlStatements, type SqlStatement } from "./sql-statements";

export const supabaseDir = path.join(repoRoot, "supabase");
export const migrationsDir = path.join(supabaseDir, "migrations");
export const bootstrapFile = path.join(supabaseDir, "bootstrap", "local-supabase.sql");
export const seedFile = path.join(supabaseDir, "seed.sql");

/** `<14-digit version>_<name>.sql`, as `supabase migration new` names files. */
const MIGRATION_FILE = /^(\d{14})_([\w-]+)\.sql$/;
/** Serialises concurrent runners against one database. */
const MIGRATE_LOCK = "select pg_advisory_lock(hashtext('techscaniq:migrate'))";

export interface MigrationFile {
  version: string;
  name: string;
  file: string;
}

export interface MigrateOptions {
  /** Default: `supabase/migrations` of this repository. */
  migrationsDir?: string;
}

export interface MigrateResult {
  /** Versions applied by this call, in order (empty when already up to date). */
  applied: string[];
  /** True when the local Supabase bootstrap ran (plain Postgres). */
  bootstrapped: boolean;
}

/** A migration that failed and was rolled back; names the file, statement and line. */
export class MigrationError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
    readonly statement: string,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = "MigrationError";
  }
}

export async function listMigrations(dir = migrationsDir): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith(".sql")).sort();
  return names.map((name) => {
    const match = MIGRATION_FILE.exec(name);
    if (!match) {
      throw new Error(`Migration file ${path.join(dir, name)} is not named <YYYYMMDDHHMMSS>_<name>.sql`);
    }
    return { version: match[1]!, name: match[2]!, file: path.join(dir, name) };
  });
}

/** True on a Supabase database, where the bootstrap's objects are Supabase's own. */
export async function isSupabaseDatabase(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ supabase: boolean }>(
    "select exists (select 1 from pg_roles where rolname = 'supabase_admin') as supabase",
  );
  return rows[0]!.supabase;
}

/**
 * Applies pending `supabase/migrations/*.sql` in version order, each in its
 * own transaction, recording them in `supabase_migrations.schema_migrations`
 * (the Supabase CLI's ledger). On plain Postgres the local Supabase bootstrap
 * runs first. A failing migration is rolled back whole and reported as a
 * MigrationError naming the file, line and statement.
 */
export async function migrate(url: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const migrations = await listMigrations(options.migrationsDir);
  const result = await withClient(url, async (client) => {
    await client.query(MIGRATE_LOCK);
    const bootstrapped = !(await isSupabaseDatabase(client));
    if (bootstrapped) await applyScript(client, bootstrapFile, await readFile(bootstrapFile, "utf8"));

    await client.query(`
      create schema if not exists supabase_migrations;
      create table if not exists supabase_migrations.schema_migrations (
        version text not null primary key,
        statements text[],
        name text
      );`);
    const { rows } = await client.query<{ version: string }>(
      "select version from supabase_migrations.schema_migrations",
    );
    const done = new Set(rows.map((row) => row.version));

    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      const source = await readFile(migration.file, "utf8");
      await applyScript(client, migration.file, source, async () => {
        await client.query(
          "insert into supabase_migrations.schema_migrations (version, statements, name) values ($1, $2, $3)",
          [migration.version, splitSqlStatements(source).map((s) => s.text), migration.name],
        );
      });
      applied.push(migration.version);
    }
    return { applied, bootstrapped };
  });
  // The job queue's own schema, so jobs can be added (in the same transaction
  // as their row) before any worker has started. Idempotent.
  await runMigrations({ connectionString: url, schema: JOB_QUEUE_SCHEMA, logger: silentLogger });
  return result;
}

/** Runs a script statement by statement in one transaction; rolls back and explains on failure. */
async function applyScript(
  client: pg.ClientBase,
  file: string,
  source: string,
  beforeCommit?: () => Promise<void>,
): Promise<void> {
  const statements = splitSqlStatements(source);
  await client.query("begin");
  try {
    for (const statement of statements) {
      try {
        await client.query(statement.text);
      } catch (error) {
        throw describeFailure(file, statement, error);
      }
    }
    await beforeCommit?.();
    await client.query("commit");
  } catch (error) {
    await client.query("rollback");
    throw error;
  }
}

function describeFailure(file: string, statement: SqlStatement, error: unknown): MigrationError {
  const pgError = error as Partial<pg.DatabaseError>;
  const position = Number(pgError.position);
  const line =
    Number.isFinite(position) && position > 0
      ? statement.line + lineAt(statement.text, position - 1) - 1
      : statement.line;
  const excerpt = statement.text.length > 400 ? `${statement.text.slice(0, 400)}…` : statement.text;
  const reason = error instanceof Error ? error.message : String(error);
  const where = pgError.where ? ` (${pgError.where})` : "";
  return new MigrationError(
    `${path.basename(file)} failed at line ${line}: ${reason}${where}; nothing from this file was applied. Statement:\n${excerpt}`,
    file,
    line,
    statement.text,
    { cause: error },
  );
}

/** graphile-worker's schema: created by its own migrations, run after ours. */
export const JOB_QUEUE_SCHEMA = "graphile_worker";
const silentLogger = new Logger(() => () => {});

/** Schemas the project's runtime creates outside the migrations (graphile-worker's queue). */
const RUNTIME_SCHEMAS = [JOB_QUEUE_SCHEMA];

/**
 * The schemas this project owns on a local database: public, the ledger,
 * runtime ones, and every schema the bootstrap or a migration creates.
 * Anything else on the server (another app's schema) is left alone.
 */
async function projectSchemas(dir: string): Promise<string[]> {
  const sources = [await readFile(bootstrapFile, "utf8")];
  for (const migration of await listMigrations(dir)) sources.push(await readFile(migration.file, "utf8"));
  const created = sources.flatMap((source) =>
    [...source.matchAll(/create\s+schema\s+(?:if\s+not\s+exists\s+)?"?([a-z_][a-z0-9_$]*)"?/gi)].map((m) =>
      m[1]!.toLowerCase(),
    ),
  );
  return [...new Set(["public", "supabase_migrations", ...RUNTIME_SCHEMAS, ...created])];
}

/**
 * Drops everything the project created (its schemas, the migration ledger
 * and the local auth users included) and re-applies all migrations: the
 * local `db reset`. Refused on a Supabase database (use `supabase db reset`).
 */
export async function resetDatabase(url: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const schemas = await projectSchemas(options.migrationsDir ?? migrationsDir);
  await withClient(url, async (client) => {
    if (await isSupabaseDatabase(client)) {
      throw new Error("resetDatabase refuses to wipe a Supabase database; use `supabase db reset` there.");
    }
    await client.query(MIGRATE_LOCK);
    await client.query("begin");
    for (const schema of schemas)
      await client.query(`drop schema if exists ${client.escapeIdentifier(schema)} cascade`);
    // Postgres 15+'s own public schema: owned by the database owner, usable by all.
    await client.query("create schema public authorization pg_database_owner");
    await client.query("grant usage on schema public to public");
    await client.query("commit");
  });
  return migrate(url, options);
}

export const DEMO_TENANT_SLUG = "demo";
export const DEMO_USER_EMAIL = "demo@techscaniq.local";

export interface SeedResult {
  tenant: { id: string; slug: string };
  user: { id: string; email: string };
  /** The demo user's password, only when this call created the user (show it once). */
  password: string | null;
}

/**
 * Seeds the demo tenant (`supabase/seed.sql`, the part shared with
 * `supabase db reset`) and a demo user who owns it, with a random password.
 * Idempotent: a second call changes nothing and returns `password: null`.
 */
export async function seed(url: string): Promise<SeedResult> {
  const seedSql = await readFile(seedFile, "utf8");
  return withClient(url, async (client) => {
    await applyScript(client, seedFile, seedSql);
    await client.query("begin");
    try {
      // Two seeds at once must not both create the user.
      await client.query("select pg_advisory_xact_lock(hashtext('techscaniq:seed'))");
      const tenant = (
        await client.query<{ id: string; slug: string }>(
          "select id, slug from public.tenants where slug = $1",
          [DEMO_TENANT_SLUG],
        )
      ).rows[0];
      if (!tenant) throw new Error(`${seedFile} did not create the '${DEMO_TENANT_SLUG}' tenant`);

      let password: string | null = null;
      let user = (
        await client.query<{ id: string; email: string }>(
          "select id, email from auth.users where lower(email) = $1",
          [DEMO_USER_EMAIL],
        )
      ).rows[0];
      if (!user) {
        password = randomBytes(12).toString("base64url");
        user = (
          await client.query<{ id: string; email: string }>(
            `insert into auth.users (instance_id, aud, role, email, encrypted_password, email_confirmed_at,
                                     raw_app_meta_data, raw_user_meta_data)
             values ('00000000-0000-0000-0000-000000000000', 'authenticated', 'authenticated', $1, $2, now(),
                     '{"provider":"email","providers":["email"]}', '{"name":"Demo User"}')
             returning id, email`,
            [DEMO_USER_EMAIL, await bcrypt.hash(password, 10)],
          )
        ).rows[0]!;
      }
      await client.query(
        `insert into public.memberships (tenant_id, user_id, role) values ($1, $2, 'owner')
         on conflict (tenant_id, user_id) do nothing`,
        [tenant.id, user.id],
      );
      await client.query("commit");
      return { tenant, user, password };
    } catch (error) {
      await client.query("rollback");
      throw error;
    }
  });
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
