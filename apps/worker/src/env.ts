import { hostname } from "node:os";
import { z } from "zod";

const emptyAsUnset = (value: unknown) => (value === "" ? undefined : value);

const workerEnvSchema = z.object({
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

export type WorkerEnv = z.infer<typeof workerEnvSchema>;

export function loadWorkerEnv(source: NodeJS.ProcessEnv = process.env): WorkerEnv {
  const parsed = workerEnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid worker environment: ${problems.join("; ")}`);
  }
  return parsed.data;
}
