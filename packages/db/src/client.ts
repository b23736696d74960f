import { Kysely, PostgresDialect, sql, type Transaction } from "kysely";
import pg from "pg";
import type { Database } from "./schema";

/** Claims of a Supabase-shaped access token, as policies see them through auth.jwt(). */
export type JwtClaims = {
  sub?: string;
  role: "authenticated" | "anon" | "service_role";
  aud?: string;
  exp?: number;
  iat?: number;
  email?: string;
  session_id?: string;
  app_metadata?: { tenant_id?: string; api_key_id?: string; scopes?: string[]; [k: string]: unknown };
  user_metadata?: Record<string, unknown>;
};

export interface Db {
  pool: pg.Pool;
  kysely: Kysely<Database>;
  close(): Promise<void>;
}

export function createDb(url: string, opts: { max?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on("error", () => undefined);
  // Nor a checked-out one: pg-pool drops its listener while a client is lent out, and pg emits
  // "error" on the client as well as failing its queries. The queries' callers see the failure;
  // the pool discards the broken client when it comes back.
  pool.on("connect", (client) => client.on("error", () => undefined));
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { pool, kysely, close: () => kysely.destroy() };
}

/**
 * A transaction as the connecting (owning) role, which bypasses RLS. Only for
 * migrations, seeds, workers and auth internals — never for a request on a
 * user's behalf.
 */
export function withServiceTx<T>(db: Db, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.kysely.transaction().execute(fn);
}

/** What withRlsTx learned while setting up the request, in the same round trip. */
export interface RlsSession {
  /** The caller's role in `opts.tenantId` (private.tenant_role): owner, admin, member, viewer, or null. */
  tenantRole: "owner" | "admin" | "member" | "viewer" | null;
}

/**
 * A transaction that runs as PostgREST runs a request: `set local role`
 * (authenticated, or anon without claims) and the claims in
 * `request.jwt.claims`, so every policy applies. `tenantId` is the active
 * tenant, readable as current_setting('app.tenant_id'); the caller's role in
 * it is handed to `fn`. Setup is one statement (like PostgREST's), because
 * every extra round trip is paid by every request.
 */
export function withRlsTx<T>(
  db: Db,
  claims: JwtClaims | null,
  fn: (trx: Transaction<Database>, session: RlsSession) => Promise<T>,
  opts: { tenantId?: string } = {},
): Promise<T> {
  const role = claims === null || claims.role === "anon" ? "anon" : claims.role;
  // The role lookup runs after the settings: the fenced sub-select is evaluated first.
  const tenantRole =
    opts.tenantId && role === "authenticated"
      ? sql`private.tenant_role(${opts.tenantId}::uuid)`
      : sql`null::text`;
  return db.kysely.transaction().execute(async (trx) => {
    const { rows } = await sql<{ tenant_role: RlsSession["tenantRole"] }>`
      select ${tenantRole} as tenant_role
        from (select set_config('request.jwt.claims', ${claims === null ? "" : JSON.stringify(claims)}, true),
                     set_config('request.jwt.claim.sub', ${claims?.sub ?? ""}, true),
                     set_config('request.jwt.claim.role', ${role}, true),
                     set_config('app.tenant_id', ${opts.tenantId ?? ""}, true),
                     set_config('role', ${role}, true)
              offset 0) as settings`.execute(trx);
    return fn(trx, { tenantRole: rows[0]?.tenant_role ?? null });
  });
}

/** Which agent run a tool works for: its tenant, and the run that proves the tenant is the run's. */
export interface AgentRunScope {
  tenantId: string;
  runId: string;
}

/**
 * A transaction for an agent's tools: `set local role agent_runner` with app.tenant_id and
 * app.agent_run_id, so the tools read and write only the run's tenant, through RLS (policies
 * `to agent_runner`), whether a person, a schedule or an event started the run. No claims: the
 * role acts as a writer of the run's tenant only while the run named is one of that tenant's.
 */
export function withTenantAgentTx<T>(
  db: Db,
  scope: AgentRunScope,
  fn: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.kysely.transaction().execute(async (trx) => {
    await sql`
      select set_config('request.jwt.claims', '', true),
             set_config('request.jwt.claim.sub', '', true),
             set_config('request.jwt.claim.role', '', true),
             set_config('app.tenant_id', ${scope.tenantId}, true),
             set_config('app.agent_run_id', ${scope.runId}, true),
             set_config('role', 'agent_runner', true)`.execute(trx);
    return fn(trx);
  });
}

export interface NewEvent {
  type: string;
  version?: number;
  tenantId: string | null;
  userId: string | null;
  subject: string;
  data?: unknown;
}

/**
 * Writes an event in the caller's transaction through private.emit_event (no API role may insert
 * into events directly); NOTIFY techscaniq_events fires at commit. As `authenticated` the caller
 * must be a member of the tenant, and scan.* / report.* lifecycle events stay the worker's.
 */
export async function emitEvent(trx: Transaction<Database>, e: NewEvent): Promise<{ id: string }> {
  const { rows } = await sql<{ id: string }>`
    select private.emit_event(${e.type}, ${e.tenantId}::uuid, ${e.userId}::uuid, ${e.subject},
                              ${JSON.stringify(e.data ?? {})}::jsonb, ${e.version ?? 1}::integer)::text as id`.execute(
    trx,
  );
  return { id: rows[0]!.id };
}

/** The channel events are announced on, payload `{ id, tenant_id, type, subject }`. */
export const EVENTS_CHANNEL = "techscaniq_events";

function sqlState(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err && typeof err.code === "string"
    ? err.code
    : undefined;
}

/**
 * The connection, not the statement, failed: a dropped socket or refused
 * connect (no SQLSTATE), class 08 (connection exception) or 57P0x (server
 * shutting down, restarting, starting up). Worth waiting for and retrying.
 */
export const isConnectionError = (err: unknown): boolean => {
  const state = sqlState(err);
  // pg's own "Connection terminated unexpectedly" and friends carry no code.
  if (state === undefined) return err instanceof Error && /connection|terminated|socket/i.test(err.message);
  // Not an SQLSTATE: a Node system error (ECONNREFUSED, ECONNRESET, EPIPE…).
  if (!/^[0-9A-Z]{5}$/.test(state)) return true;
  return state.startsWith("08") || state.startsWith("57P");
};
/** 23505: a unique constraint (e.g. a taken tenant slug). */
export const isUniqueViolation = (err: unknown): boolean => sqlState(err) === "23505";
/** 23503: a foreign key points nowhere. */
export const isForeignKeyViolation = (err: unknown): boolean => sqlState(err) === "23503";
/** 23514: a check constraint, including the "last owner" rule. */
export const isCheckViolation = (err: unknown): boolean => sqlState(err) === "23514";
/** 42501: missing privilege or a row refused by an RLS policy. */
export const isInsufficientPrivilege = (err: unknown): boolean => sqlState(err) === "42501";
/** 22P02 / 22007 / 22008: malformed input such as a bad uuid or timestamp. */
export const isInvalidTextRepresentation = (err: unknown): boolean =>
  ["22P02", "22007", "22008"].includes(sqlState(err) ?? "");

/** The violated constraint's name, when Postgres reports one. */
export function constraintName(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "constraint" in err && typeof err.constraint === "string"
    ? err.constraint
    : undefined;
}
