import { fileURLToPath } from "node:url";
import path from "node:path";
import { defineEnv, emptyAsUnset, type EnvSource } from "@techscaniq/contracts/env";
import { z } from "zod";

/** The monorepo root: this file lives at packages/db/src/env.ts. */
// Not `new URL("../../../", import.meta.url)`: bundlers (Next's Turbopack) read that as an asset import and fail.
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL");

const port = z.coerce.number().int().min(1).max(65535);

export const dbEnvSchema = z.object({
  /** Use this Postgres (e.g. Supabase direct or session-pooler URL) instead of the embedded one. */
  DATABASE_URL: z.preprocess(emptyAsUnset, postgresUrl.optional()),
  /** Where local state (embedded Postgres data) lives; git-ignored. */
  TECHSCANIQ_DATA_DIR: z.preprocess(emptyAsUnset, z.string().default(path.join(repoRoot, ".data"))),
  /** Port of the embedded development Postgres. */
  TECHSCANIQ_PG_PORT: z.preprocess(emptyAsUnset, port.default(54329)),
  /** First port tried for the per-test-run Postgres (the next free one is used). */
  TECHSCANIQ_TEST_PG_PORT: z.preprocess(emptyAsUnset, port.default(54330)),
  /** Set by the vitest global setup: the test server's admin URL and template database. */
  TECHSCANIQ_TEST_PG_URL: z.preprocess(emptyAsUnset, postgresUrl.optional()),
  NODE_ENV: z.preprocess(emptyAsUnset, z.enum(["development", "test", "production"]).default("development")),
  /**
   * Seals tenant secrets (AI provider keys) in the database. Optional outside
   * production (generated once into `<data dir>/secrets-key`, mode 0600);
   * required when NODE_ENV=production, so web and workers agree on it.
   */
  TECHSCANIQ_SECRETS_KEY: z.preprocess(
    emptyAsUnset,
    z.string().min(32, "must be at least 32 characters").optional(),
  ),
  /** With SUPABASE_SERVICE_ROLE_KEY: screenshots, artifacts and reports go to Supabase Storage instead of the data dir. */
  SUPABASE_URL: z.preprocess(
    emptyAsUnset,
    z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  ),
  SUPABASE_SERVICE_ROLE_KEY: z.preprocess(
    emptyAsUnset,
    z.string().min(20, "must be the project's service_role key").optional(),
  ),
});

export type DbEnv = z.infer<typeof dbEnvSchema>;

const dbEnv = defineEnv("database", dbEnvSchema, (parsed) => ({
  ...parsed,
  TECHSCANIQ_DATA_DIR: path.resolve(parsed.TECHSCANIQ_DATA_DIR),
}));

/** Parses on each call (no cache), so values set by a vitest global setup are seen. */
export function loadDbEnv(source: EnvSource = process.env): DbEnv {
  return dbEnv.load(source);
}
