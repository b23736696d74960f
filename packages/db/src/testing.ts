import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import bcrypt from "bcryptjs";
import pg from "pg";
import { createDb, withServiceTx, type Db, type JwtClaims } from "./client";
import {
  findFreePort,
  isAlive,
  runningPostmaster,
  startEmbeddedPostgres,
  stopPostmaster,
  type RunningPostgres,
} from "./embedded";
import { loadDbEnv } from "./env";
import { migrate } from "./migrate";

/** Migrated once per test run; every test database is a copy of it. */
export const TEMPLATE_DATABASE = "tsiq_template";

export interface TestServer {
  /** Superuser URL of the server's `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a throwaway Postgres for one test run (fresh cluster under
 * `.data/test-postgres/run-<pid>`, first free port from 54330, durability
 * off) and builds the migrated template database. Several runs at once, even
 * from different checkouts' engineers, do not collide.
 */
export async function startTestServer(): Promise<TestServer> {
  const env = loadDbEnv();
  const root = path.join(env.TECHSCANIQ_DATA_DIR, "test-postgres");
  await removeAbandonedRuns(root);
  const dataDir = path.join(root, `run-${process.pid}`);
  const server = await startOnFreePort(dataDir, env.TECHSCANIQ_TEST_PG_PORT);
  const stop = async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(`${dataDir}.password`, { force: true });
  };
  try {
    await withAdmin(server.url, (admin) => admin.query(`create database ${TEMPLATE_DATABASE}`));
    await migrate(databaseUrl(server.url, TEMPLATE_DATABASE));
    // No connections to the template from now on: CREATE DATABASE ... TEMPLATE needs it idle.
    await withAdmin(server.url, (admin) =>
      admin.query(`alter database ${TEMPLATE_DATABASE} with is_template true allow_connections false`),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: server.url, stop };
}

/**
 * Another run may take the port between our probe and Postgres binding it;
 * then the next free port is tried.
 */
async function startOnFreePort(dataDir: string, firstPort: number): Promise<RunningPostgres> {
  let port = firstPort;
  for (let attempt = 1; ; attempt += 1) {
    await rm(dataDir, { recursive: true, force: true });
    port = await findFreePort(port);
    try {
      return await startEmbeddedPostgres({ dataDir, port, ephemeral: true });
    } catch (error) {
      const portTaken =
        error instanceof Error && /could not bind|Address already in use/i.test(error.message);
      if (!portTaken || attempt === 5) throw error;
      port += 1;
    }
  }
}

/** Deletes clusters left by test runs whose process is gone (killed runs). */
async function removeAbandonedRuns(root: string): Promise<void> {
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const entry of entries) {
    const pid = Number(/^run-(\d+)$/.exec(entry)?.[1]);
    if (!pid || isAlive(pid)) continue;
    const dataDir = path.join(root, entry);
    // Its Postgres may have outlived it (SIGKILL): stop that orphan first.
    const orphan = await runningPostmaster(dataDir);
    if (orphan) await stopPostmaster(orphan.pid);
    await rm(dataDir, { recursive: true, force: true });
    await rm(`${dataDir}.password`, { force: true });
    await rm(`${dataDir}.owner`, { force: true });
  }
}

let inProcessServer: Promise<TestServer> | undefined;

/** The test server: the vitest global setup's (TECHSCANIQ_TEST_PG_URL), else one started in this process. */
async function testServerUrl(): Promise<string> {
  const provided = loadDbEnv().TECHSCANIQ_TEST_PG_URL;
  if (provided) return provided;
  inProcessServer ??= startTestServer().then((server) => {
    process.once("beforeExit", () => void server.stop());
    return server;
  });
  return (await inProcessServer).url;
}

export interface TestDatabase {
  url: string;
  db: Db;
  /** Closes `db` and drops the database. */
  drop(): Promise<void>;
}

/** A fresh, fully migrated database of its own (a copy of the template: fast). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = await testServerUrl();
  const url = await cloneTemplate(adminUrl);
  const db = createDb(url);
  return {
    url,
    db,
    drop: async () => {
      await db.close();
      await dropDatabase(adminUrl, url);
    },
  };
}

/** Creates `tsiq_<random>` from the template and returns its URL. */
export async function cloneTemplate(adminUrl: string): Promise<string> {
  const name = `tsiq_${randomBytes(6).toString("hex")}`;
  await withAdmin(adminUrl, (admin) => admin.query(`create database ${name} template ${TEMPLATE_DATABASE}`));
  return databaseUrl(adminUrl, name);
}

/** An empty (unmigrated) database, for migration-runner tests. */
export async function createEmptyTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = await testServerUrl();
  const name = `tsiq_empty_${randomBytes(6).toString("hex")}`;
  await withAdmin(adminUrl, (admin) => admin.query(`create database ${name}`));
  const url = databaseUrl(adminUrl, name);
  return { url, drop: () => dropDatabase(adminUrl, url) };
}

async function dropDatabase(adminUrl: string, url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await withAdmin(adminUrl, (admin) =>
    admin.query(`drop database if exists ${admin.escapeIdentifier(name)} with (force)`),
  );
}

function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// ------------------------------------------------------------------ fixtures

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

/** A confirmed e-mail user in auth.users with a real bcrypt hash (low cost, for speed). */
export async function createTestUser(
  db: Db,
  opts: { email?: string; password?: string } = {},
): Promise<TestUser> {
  const email = opts.email ?? `user-${randomBytes(5).toString("hex")}@test.techscaniq.local`;
  const password = opts.password ?? randomBytes(12).toString("base64url");
  const row = await withServiceTx(db, (trx) =>
    trx
      .insertInto("auth.users")
      .values({
        instance_id: "00000000-0000-0000-0000-000000000000",
        aud: "authenticated",
        role: "authenticated",
        email,
        encrypted_password: bcrypt.hashSync(password, 4),
        email_confirmed_at: new Date(),
        raw_app_meta_data: JSON.stringify({ provider: "email", providers: ["email"] }),
        raw_user_meta_data: JSON.stringify({}),
      })
      .returning("id")
      .executeTakeFirstOrThrow(),
  );
  return { id: row.id, email, password };
}

/** A tenant owned by `ownerId`. */
export async function createTestTenant(
  db: Db,
  ownerId: string,
  slug?: string,
): Promise<{ id: string; slug: string }> {
  const tenantSlug = slug ?? `t-${randomBytes(5).toString("hex")}`;
  return withServiceTx(db, async (trx) => {
    const tenant = await trx
      .insertInto("tenants")
      .values({ slug: tenantSlug, name: `Tenant ${tenantSlug}` })
      .returning(["id", "slug"])
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("memberships")
      .values({ tenant_id: tenant.id, user_id: ownerId, role: "owner" })
      .execute();
    return tenant;
  });
}

export type TenantRole = "owner" | "admin" | "member" | "viewer";

/** Adds `userId` to a tenant with `role`. */
export async function addTestMember(
  db: Db,
  tenantId: string,
  userId: string,
  role: TenantRole,
): Promise<void> {
  await withServiceTx(db, (trx) =>
    trx.insertInto("memberships").values({ tenant_id: tenantId, user_id: userId, role }).execute(),
  );
}

export interface TestApiKey {
  id: string;
  tenantId: string;
  secret: string;
  scopes: string[];
}

/** An API key row (the secret's SHA-256 stored), optionally already expired or revoked. */
export async function createTestApiKey(
  db: Db,
  tenantId: string,
  opts: {
    scopes?: ("read" | "write" | "admin")[];
    expiresAt?: Date | null;
    revokedAt?: Date | null;
    createdBy?: string | null;
  } = {},
): Promise<TestApiKey> {
  const secret = `tsiq_test_${randomBytes(24).toString("base64url")}`;
  const scopes = opts.scopes ?? ["read"];
  const row = await withServiceTx(db, (trx) =>
    trx
      .insertInto("api_keys")
      .values({
        tenant_id: tenantId,
        name: "test key",
        prefix: secret.slice(0, 18),
        secret_hash: createHash("sha256").update(secret).digest("hex"),
        scopes,
        created_by: opts.createdBy ?? null,
        expires_at: opts.expiresAt ?? null,
        revoked_at: opts.revokedAt ?? null,
      })
      .returning("id")
      .executeTakeFirstOrThrow(),
  );
  return { id: row.id, tenantId, secret, scopes };
}

/** Access-token claims for a signed-in user, shaped like Supabase's. */
export function claimsFor(userId: string, extra: Partial<JwtClaims> = {}): JwtClaims {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: userId,
    role: "authenticated",
    aud: "authenticated",
    iat: now,
    exp: now + 3600,
    session_id: randomUUID(),
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: {},
    ...extra,
  };
}

/** Claims for a request made with an API key (acts only through the key). */
export function claimsForApiKey(
  key: Pick<TestApiKey, "id" | "tenantId" | "scopes">,
  userId?: string,
): JwtClaims {
  return claimsFor(userId ?? randomUUID(), {
    app_metadata: { api_key_id: key.id, tenant_id: key.tenantId, scopes: key.scopes },
  });
}

export interface WaitOptions {
  /** What is awaited, for the timeout error: "the worker's health port", "no jobs left for scan …". */
  what: string;
  /** The deadline; keep it below the test's own timeout so this error, not vitest's, is reported. */
  timeoutMs: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a value other than undefined, null or false, and returns it;
 * after `timeoutMs` it throws naming what it waited for. Every poll in tests goes through this,
 * so none runs unbounded. An error thrown by `probe` ends the wait at once (e.g. a child died).
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { what, timeoutMs, intervalMs = 200 }: WaitOptions,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (performance.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
