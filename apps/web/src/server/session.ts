import { z } from "zod";
import { webEnvFromProcess } from "../env";

export const ACCESS_COOKIE = "tsiq_access";
export const REFRESH_COOKIE = "tsiq_refresh";
/** The tenant the browser works in; sent to the API as `x-tenant-id`. Not a secret: RLS checks membership. */
export const ACTIVE_TENANT_COOKIE = "tsiq_tenant";
const ACTIVE_TENANT_COOKIE_SECONDS = 365 * 86_400;
/** Refresh a little before expiry so a request never starts with a token that dies mid-flight. */
const REFRESH_MARGIN_SECONDS = 30;
const DEFAULT_REFRESH_COOKIE_SECONDS = 30 * 86_400;

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  /** When the refresh token stops working (ISO); the cookie lives as long. */
  refreshTokenExpiresAt?: string | null;
}

/** The cookie jar shape shared by `cookies()` and `NextResponse.cookies`. */
export interface CookieWriter {
  set(name: string, value: string, options: CookieOptions): unknown;
}

interface CookieOptions {
  httpOnly: boolean;
  sameSite: "lax";
  secure: boolean;
  path: string;
  maxAge: number;
}

const unverifiedClaimsSchema = z.object({ sub: z.string(), exp: z.number() });

/**
 * Reads a JWT's claims WITHOUT checking the signature. Only for deciding
 * whether to refresh and what to log; the API verifies every token it uses.
 */
export function peekTokenClaims(token: string | undefined): z.infer<typeof unverifiedClaimsSchema> | null {
  const payload = token?.split(".")[1];
  if (!payload) return null;
  try {
    const parsed = unverifiedClaimsSchema.safeParse(
      JSON.parse(Buffer.from(payload, "base64url").toString("utf8")),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function accessTokenNeedsRefresh(accessToken: string | undefined, now = Date.now()): boolean {
  const claims = peekTokenClaims(accessToken);
  return !claims || claims.exp - REFRESH_MARGIN_SECONDS <= now / 1000;
}

function cookieOptions(maxAgeSeconds: number): CookieOptions {
  return {
    httpOnly: true,
    sameSite: "lax",
    secure: webEnvFromProcess().sessionCookieSecure,
    path: "/",
    maxAge: Math.max(0, Math.floor(maxAgeSeconds)),
  };
}

export function writeSessionCookies(cookies: CookieWriter, tokens: SessionTokens, now = Date.now()): void {
  const accessExp = peekTokenClaims(tokens.accessToken)?.exp;
  cookies.set(ACCESS_COOKIE, tokens.accessToken, cookieOptions(accessExp ? accessExp - now / 1000 : 900));
  const refreshExpiresAt = tokens.refreshTokenExpiresAt
    ? new Date(tokens.refreshTokenExpiresAt).getTime()
    : null;
  cookies.set(
    REFRESH_COOKIE,
    tokens.refreshToken,
    cookieOptions(refreshExpiresAt ? (refreshExpiresAt - now) / 1000 : DEFAULT_REFRESH_COOKIE_SECONDS),
  );
}

export function writeActiveTenantCookie(cookies: CookieWriter, tenantId: string): void {
  cookies.set(ACTIVE_TENANT_COOKIE, tenantId, cookieOptions(ACTIVE_TENANT_COOKIE_SECONDS));
}

export function clearSessionCookies(cookies: CookieWriter): void {
  for (const name of [ACCESS_COOKIE, REFRESH_COOKIE, ACTIVE_TENANT_COOKIE])
    cookies.set(name, "", cookieOptions(0));
}
