import { hostname } from "node:os";
import { loadAiEnv, type AiEnv } from "@techscaniq/ai/env";
import { defineEnv, emptyAsUnset, type EnvSource } from "@techscaniq/contracts/env";
import { loadDbEnv, type DbEnv } from "@techscaniq/db/env";
import { loadScannerEnv, type ScannerEnv } from "@techscaniq/scanner/env";
import { z } from "zod";

export const workerEnvSchema = z.object({
  /** The Postgres holding the data and graphile-worker's queue (direct or session-pooler URL: LISTEN/NOTIFY is needed). */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL"),
  /** Jobs run at the same time by this process. */
  WORKER_CONCURRENCY: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(64).default(2)),
  /** Port of the worker's own health endpoint. */
  WORKER_HEALTH_PORT: z.preprocess(emptyAsUnset, z.coerce.number().int().min(0).max(65535).default(3101)),
  /** Interface the health endpoint binds to; set 0.0.0.0 in a container so the orchestrator can probe it. */
  WORKER_HEALTH_HOST: z.preprocess(emptyAsUnset, z.string().default("127.0.0.1")),
  /** Names this process in worker_heartbeats and in graphile-worker's locks. */
  WORKER_ID: z.preprocess(emptyAsUnset, z.string().min(1).max(200).default(`${hostname()}-${process.pid}`)),
  /** Scans of one tenant run at once (across all workers); more wait in the queue. */
  SCAN_TENANT_CONCURRENCY: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(100).default(2)),
  /**
   * Seconds a scan may take from its start before a failing stage stops being retried: an
   * unreachable or broken site fails within this time instead of retrying for an hour.
   */
  SCAN_DEADLINE_SECONDS: z.preprocess(emptyAsUnset, z.coerce.number().int().min(1).max(86_400).default(600)),
  LOG_LEVEL: z.preprocess(
    emptyAsUnset,
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ),
});

/** The worker's own settings and those of the packages it runs, parsed together at start. */
export type WorkerEnv = z.infer<typeof workerEnvSchema> & { db: DbEnv; scanner: ScannerEnv; ai: AiEnv };

const workerEnv = defineEnv("worker", workerEnvSchema, (parsed, source) => ({
  ...parsed,
  db: loadDbEnv(source),
  scanner: loadScannerEnv(source),
  ai: loadAiEnv(source),
}));

/** Called once by main.ts (tests and the queue benchmark pass their own source). */
export function loadWorkerEnv(source: EnvSource = process.env): WorkerEnv {
  return workerEnv.load(source);
}
