import { defineEnv, emptyAsUnset, type EnvSource } from "@techscaniq/contracts/env";
import { z } from "zod";

const booleanFlag = z
  .enum(["true", "false", "1", "0"])
  .transform((value) => value === "true" || value === "1");

export const webEnvSchema = z
  .object({
    NODE_ENV: z.preprocess(
      emptyAsUnset,
      z.enum(["development", "test", "production"]).default("development"),
    ),
    /** The Postgres the API talks to (the CLI sets it; Supabase direct or session-pooler URL in production). */
    DATABASE_URL: z
      .string({ error: "is required" })
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL"),
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
    /**
     * Set (with SUPABASE_ANON_KEY) → Supabase mode: the auth screens use
     * Supabase Auth and the API verifies Supabase's tokens. Read at run time,
     * so one build serves both modes.
     */
    SUPABASE_URL: z.preprocess(
      emptyAsUnset,
      z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
    ),
    /** The project's public anon key; the browser sends it to Supabase Auth. */
    SUPABASE_ANON_KEY: z.preprocess(emptyAsUnset, z.string().min(1).optional()),
  })
  .superRefine((env, context) => {
    if (Boolean(env.SUPABASE_URL) !== Boolean(env.SUPABASE_ANON_KEY)) {
      const missing = env.SUPABASE_URL ? "SUPABASE_ANON_KEY" : "SUPABASE_URL";
      context.addIssue({
        code: "custom",
        path: [missing],
        message: "is required when the other Supabase setting is set (set both or neither)",
      });
    }
  });

/** What the browser needs to talk to Supabase Auth (both values are public). */
export interface SupabasePublicConfig {
  url: string;
  anonKey: string;
}

export type WebEnv = z.infer<typeof webEnvSchema> & {
  sessionCookieSecure: boolean;
  /** Null in local auth mode. */
  supabase: SupabasePublicConfig | null;
};

const webEnv = defineEnv("web", webEnvSchema, (parsed): WebEnv => {
  const { SUPABASE_URL, SUPABASE_ANON_KEY } = parsed;
  return {
    ...parsed,
    sessionCookieSecure: parsed.SESSION_COOKIE_SECURE ?? parsed.NODE_ENV === "production",
    supabase:
      SUPABASE_URL && SUPABASE_ANON_KEY
        ? { url: SUPABASE_URL.replace(/\/+$/, ""), anonKey: SUPABASE_ANON_KEY }
        : null,
  };
});

export function loadWebEnv(source: EnvSource = process.env): WebEnv {
  return webEnv.load(source);
}

let cached: WebEnv | undefined;

/**
 * The web app's settings, parsed on first use and kept for the process. Next.js has no single
 * entry we call into (every page and route handler is one), so pages and routes read this
 * memoised parse rather than having it passed down; the API's settings are parsed once where
 * its services are created (`handleTrpcRequest`). Throws naming every bad variable.
 */
export function webEnvFromProcess(): WebEnv {
  cached ??= loadWebEnv();
  return cached;
}
