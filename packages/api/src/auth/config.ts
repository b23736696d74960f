import { dataDirSecret } from "@techscaniq/db/secrets";
import type { ApiEnv } from "../env";

/** Local mode: this server signs users in against auth.users and issues the tokens. */
export interface LocalAuthConfig {
  mode: "local";
  /** HS256 signing secret. */
  jwtSecret: Uint8Array;
  issuer: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /**
   * How long the refresh token replaced by a rotation still answers with the
   * session's current one (GoTrue's REFRESH_TOKEN_REUSE_INTERVAL): requests
   * racing to refresh the same expired session must not sign the user out.
   */
  refreshTokenReuseIntervalSeconds: number;
}

/** Production mode: Supabase Auth issues the tokens; this server only verifies them. */
export interface SupabaseAuthConfig {
  mode: "supabase";
  /** `<SUPABASE_URL>/auth/v1`, the `iss` of Supabase access tokens. */
  issuer: string;
  /** Asymmetric signing keys (RS256/ES256). */
  jwksUrl: URL;
  /** The legacy HS256 project secret, when the project still signs with it. */
  jwtSecret?: Uint8Array;
}

export type AuthConfig = LocalAuthConfig | SupabaseAuthConfig;

export const LOCAL_ISSUER = "techscaniq-local";
/** Supabase's audience for signed-in users; policies rely on `role`, clients on `aud`. */
export const AUTHENTICATED_AUDIENCE = "authenticated";

const encoder = new TextEncoder();

/**
 * The local signing secret: TECHSCANIQ_JWT_SECRET, or outside production one
 * generated on first use and kept in `<data dir>/jwt-secret` (0600) so tokens
 * survive restarts and every local process agrees on it.
 */
async function localJwtSecret(env: ApiEnv): Promise<string> {
  return dataDirSecret({
    configured: env.TECHSCANIQ_JWT_SECRET,
    variable: "TECHSCANIQ_JWT_SECRET",
    production: env.NODE_ENV === "production",
    productionHint: "local-auth mode (or set SUPABASE_URL to use Supabase Auth)",
    dataDir: env.db.TECHSCANIQ_DATA_DIR,
    file: "jwt-secret",
  });
}

export async function loadAuthConfig(env: ApiEnv): Promise<AuthConfig> {
  if (env.SUPABASE_URL) {
    const base = env.SUPABASE_URL.replace(/\/+$/, "");
    return {
      mode: "supabase",
      issuer: `${base}/auth/v1`,
      jwksUrl: new URL(env.SUPABASE_JWKS_URL ?? `${base}/auth/v1/.well-known/jwks.json`),
      ...(env.SUPABASE_JWT_SECRET ? { jwtSecret: encoder.encode(env.SUPABASE_JWT_SECRET) } : {}),
    };
  }
  return {
    mode: "local",
    jwtSecret: encoder.encode(await localJwtSecret(env)),
    issuer: LOCAL_ISSUER,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL,
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL,
    refreshTokenReuseIntervalSeconds: env.REFRESH_TOKEN_REUSE_INTERVAL,
  };
}
