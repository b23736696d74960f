import type { Db } from "@techscaniq/db";
import { withServiceTx } from "@techscaniq/db";
import { listMigrations } from "@techscaniq/db/migrate";

export interface DatabaseCheck {
  ok: boolean;
  error?: string;
}

export interface MigrationsCheck {
  ok: boolean;
  /** Files in supabase/migrations not yet recorded in the ledger. */
  pending: string[];
  /** Ledger entries without a file here (the database is ahead of this code). */
  unknown: string[];
  error?: string;
}

export interface WorkerCheck {
  ok: boolean;
  /** Heartbeat rows seen recently enough to count as alive. */
  alive: number;
  newestHeartbeatAt: string | null;
  ageSeconds: number | null;
  maxAgeSeconds: number;
}

export interface HealthReport {
  status: "ok" | "unhealthy";
  checks: { database: DatabaseCheck; migrations: MigrationsCheck; worker: WorkerCheck };
}

const describe = (error: unknown) => (error instanceof Error ? error.message : "unknown error");

export async function checkDatabase(db: Db): Promise<DatabaseCheck> {
  try {
    await db.pool.query("select 1");
    return { ok: true };
  } catch (error) {
    return { ok: false, error: describe(error) };
  }
}

/** Compares the Supabase CLI's ledger with the migration files this build ships with. */
export async function checkMigrations(db: Db, migrationsDir?: string): Promise<MigrationsCheck> {
  try {
    const files = await listMigrations(migrationsDir);
    const applied = await db.pool.query<{ version: string }>(
      "select version from supabase_migrations.schema_migrations",
    );
    const appliedVersions = new Set(applied.rows.map((row) => row.version));
    const fileVersions = new Set(files.map((file) => file.version));
    const pending = files
      .filter((file) => !appliedVersions.has(file.version))
      .map((file) => `${file.version}_${file.name}`);
    const unknown = [...appliedVersions].filter((version) => !fileVersions.has(version)).sort();
    return { ok: pending.length === 0, pending, unknown };
  } catch (error) {
    return { ok: false, pending: [], unknown: [], error: describe(error) };
  }
}

export async function checkWorker(db: Db, maxAgeSeconds: number): Promise<WorkerCheck> {
  const failed: WorkerCheck = {
    ok: false,
    alive: 0,
    newestHeartbeatAt: null,
    ageSeconds: null,
    maxAgeSeconds,
  };
  try {
    const rows = await withServiceTx(db, (trx) =>
      trx.selectFrom("worker_heartbeats").select("last_seen_at").execute(),
    );
    if (rows.length === 0) return failed;
    const now = Date.now();
    const ages = rows.map((row) => Math.max(0, now - new Date(row.last_seen_at).getTime()) / 1000);
    const youngest = Math.min(...ages);
    return {
      ok: youngest <= maxAgeSeconds,
      alive: ages.filter((age) => age <= maxAgeSeconds).length,
      newestHeartbeatAt: new Date(now - youngest * 1000).toISOString(),
      ageSeconds: youngest,
      maxAgeSeconds,
    };
  } catch {
    return failed;
  }
}

export interface HealthOptions {
  workerMaxAgeSeconds: number;
  migrationsDir?: string;
}

export async function checkHealth(db: Db, options: HealthOptions): Promise<HealthReport> {
  const [database, migrations, worker] = await Promise.all([
    checkDatabase(db),
    checkMigrations(db, options.migrationsDir),
    checkWorker(db, options.workerMaxAgeSeconds),
  ]);
  return {
    status: database.ok && migrations.ok && worker.ok ? "ok" : "unhealthy",
    checks: { database, migrations, worker },
  };
}

/** Ready to serve users: the database answers and has this build's schema. The worker is not needed for that. */
export async function checkReadiness(
  db: Db,
  migrationsDir?: string,
): Promise<{ status: "ok" | "not ready"; checks: { database: DatabaseCheck; migrations: MigrationsCheck } }> {
  const [database, migrations] = await Promise.all([checkDatabase(db), checkMigrations(db, migrationsDir)]);
  return { status: database.ok && migrations.ok ? "ok" : "not ready", checks: { database, migrations } };
}
