import { z } from "zod";

const emptyAsUnset = (value: unknown) => (value === "" ? undefined : value);
const booleanFlag = z.enum(["true", "false", "1", "0"]).transform((value) => value === "true" || value === "1");

const webEnvSchema = z.object({
  NODE_ENV: z.preprocess(emptyAsUnset, z.enum(["development", "test", "production"]).default("development")),
  /** The Postgres the API talks to (the CLI sets it; Supabase direct or session-pooler URL in production). */
  DATABASE_URL: z.string({ error: "is required" }).regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL"),
  LOG_LEVEL: z.preprocess(
    emptyAsUnset,
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ),
  /**
   * Session cookies carry `Secure` in production. Override only for a
   * production build served over plain http on a developer machine (e2e).
   */
  SESSION_COOKIE_SECURE: z.preprocess(emptyAsUnset, booleanFlag.optional()),
  /** /api/health reports the worker unhealthy when its newest heartbeat is older than this. */
  WORKER_HEARTBEAT_MAX_AGE_SECONDS: z.preprocess(emptyAsUnset, z.coerce.number().int().min(10).default(60)),
});

export type WebEnv = z.infer<typeof webEnvSchema> & { sessionCookieSecure: boolean };

let cached: WebEnv | undefined;

/** Validated once per process; throws naming every bad variable. */
export function webEnv(): WebEnv {
  if (cached) return cached;
  const parsed = webEnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid web environment: ${problems.join("; ")}`);
  }
  cached = { ...parsed.data, sessionCookieSecure: parsed.data.SESSION_COOKIE_SECURE ?? parsed.data.NODE_ENV === "production" };
  return cached;
}
