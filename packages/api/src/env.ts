import { OperatorAiPolicyEnv } from "@techscaniq/contracts/ai";
import { defineEnv, emptyAsUnset, type EnvSource } from "@techscaniq/contracts/env";
import { loadDbEnv, type DbEnv } from "@techscaniq/db/env";
import { z } from "zod";

const durationUnits = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** `900`, `900s`, `15m`, `12h` or `30d` → seconds. */
const durationSeconds = z
  .string()
  .regex(/^\d+(s|m|h|d)?$/, "must be a duration like 900, 15m, 12h or 30d")
  .transform((text) => {
    const unit = text.match(/[smhd]$/)?.[0] as keyof typeof durationUnits | undefined;
    return Number.parseInt(text, 10) * (unit ? durationUnits[unit] : 1);
  })
  .refine((seconds) => seconds > 0, "must be longer than 0 seconds");

export const apiEnvSchema = z.object({
  NODE_ENV: z.preprocess(emptyAsUnset, z.enum(["development", "test", "production"]).default("development")),
  /**
   * Local mode only: the HS256 secret for access tokens. Optional outside
   * production (generated once into `<data dir>/jwt-secret`, mode 0600);
   * required when NODE_ENV=production, so every web instance shares it.
   */
  TECHSCANIQ_JWT_SECRET: z.preprocess(
    emptyAsUnset,
    z.string().min(32, "must be at least 32 characters").optional(),
  ),
  ACCESS_TOKEN_TTL: z.preprocess(emptyAsUnset, durationSeconds.default(15 * 60)),
  REFRESH_TOKEN_TTL: z.preprocess(emptyAsUnset, durationSeconds.default(30 * 86_400)),
  REFRESH_TOKEN_REUSE_INTERVAL: z.preprocess(emptyAsUnset, durationSeconds.default(10)),
  /** Set → production mode: Supabase Auth issues the tokens and this server only verifies them. */
  SUPABASE_URL: z.preprocess(
    emptyAsUnset,
    z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  ),
  /** Used by the browser client (apps/web); listed here so one schema documents the auth settings. */
  SUPABASE_ANON_KEY: z.preprocess(emptyAsUnset, z.string().optional()),
  /** The project's legacy HS256 JWT secret; tokens signed with it are accepted. */
  SUPABASE_JWT_SECRET: z.preprocess(
    emptyAsUnset,
    z.string().min(32, "must be at least 32 characters").optional(),
  ),
  /** Default `<SUPABASE_URL>/auth/v1/.well-known/jwks.json` (asymmetric signing keys). */
  SUPABASE_JWKS_URL: z.preprocess(
    emptyAsUnset,
    z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  ),
  /** "1": tenants may point AI providers at private and loopback addresses (private-network deployments, tests), as scans may. */
  TECHSCANIQ_ALLOW_PRIVATE: z.preprocess(emptyAsUnset, z.enum(["0", "1"]).default("0")),
  /** Scans (new and re-scans) one tenant may start per hour. */
  TECHSCANIQ_SCANS_PER_HOUR: z.preprocess(
    emptyAsUnset,
    z.coerce.number().int().min(1).max(100_000).default(60),
  ),
  /** Report regenerations one tenant may ask for per hour (each one spends AI tokens). */
  TECHSCANIQ_REPORT_REGENERATIONS_PER_HOUR: z.preprocess(
    emptyAsUnset,
    z.coerce.number().int().min(1).max(100_000).default(30),
  ),
  LOG_LEVEL: z.preprocess(
    emptyAsUnset,
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ),
  /**
   * Proxies in front of the web app that append the client's address to
   * X-Forwarded-For. 0 (default): the header is ignored and the socket's peer
   * is the client, so nobody can pick their own address to dodge throttling.
   */
  TECHSCANIQ_TRUSTED_PROXIES: z.preprocess(emptyAsUnset, z.coerce.number().int().min(0).max(10).default(0)),
  // What tenants may choose on the deployment's AI keys, checked when they save their AI settings.
  ...OperatorAiPolicyEnv.shape,
});

/** The API's settings and the database package's (storage, secrets key, data dir), parsed together. */
export type ApiEnv = z.infer<typeof apiEnvSchema> & { db: DbEnv };

const apiEnv = defineEnv("API", apiEnvSchema, (parsed, source) => ({ ...parsed, db: loadDbEnv(source) }));

/**
 * Reads and validates the API's settings; throws naming every bad variable. Called once, where
 * the API's services are created (`createApiServices`), which hands the result to every request.
 */
export function loadApiEnv(source: EnvSource = process.env): ApiEnv {
  return apiEnv.load(source);
}
