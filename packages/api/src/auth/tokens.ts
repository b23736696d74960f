import type { JwtClaims } from "@techscaniq/db";
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { DomainError } from "../errors";
import { AUTHENTICATED_AUDIENCE, type AuthConfig, type LocalAuthConfig } from "./config";

/** The claims this server relies on; Supabase and local tokens both carry them. */
const accessTokenClaimsSchema = z.object({
  sub: z.uuid(),
  role: z.literal("authenticated"),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
  iat: z.number().optional(),
  email: z.string().optional(),
  session_id: z.string().optional(),
  app_metadata: z.record(z.string(), z.unknown()).optional(),
  user_metadata: z.record(z.string(), z.unknown()).optional(),
});

export interface AccessTokenUser {
  id: string;
  email: string;
  appMetadata: Record<string, unknown>;
  userMetadata: Record<string, unknown>;
}

/** Signs a local-mode access token shaped like Supabase's (GoTrue) access tokens. */
export async function signAccessToken(
  config: LocalAuthConfig,
  user: AccessTokenUser,
  sessionId: string,
): Promise<{ accessToken: string; expiresAt: Date }> {
  const issuedAt = Math.floor(Date.now() / 1000);
  const expiresAtSeconds = issuedAt + config.accessTokenTtlSeconds;
  const accessToken = await new SignJWT({
    role: "authenticated",
    email: user.email,
    phone: "",
    app_metadata: user.appMetadata,
    user_metadata: user.userMetadata,
    session_id: sessionId,
    aal: "aal1",
    amr: [{ method: "password", timestamp: issuedAt }],
    is_anonymous: false,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(user.id)
    .setAudience(AUTHENTICATED_AUDIENCE)
    .setIssuer(config.issuer)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAtSeconds)
    .sign(config.jwtSecret);
  return { accessToken, expiresAt: new Date(expiresAtSeconds * 1000) };
}

export type AccessTokenVerifier = (token: string) => Promise<JwtClaims>;

/**
 * Checks signature, issuer, audience and expiry; in production mode the key
 * comes from the project's JWKS (cached by jose) or its HS256 secret.
 * Session revocation is checked separately, against the database.
 */
export function createAccessTokenVerifier(config: AuthConfig): AccessTokenVerifier {
  let key: JWTVerifyGetKey;
  let algorithms: string[];
  if (config.mode === "local") {
    key = () => config.jwtSecret;
    algorithms = ["HS256"];
  } else {
    const jwks = createRemoteJWKSet(config.jwksUrl);
    const secret = config.jwtSecret;
    key = (header, token) => (header.alg === "HS256" && secret ? secret : jwks(header, token));
    algorithms = ["RS256", "ES256", ...(secret ? ["HS256"] : [])];
  }

  return async (token) => {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms,
        audience: AUTHENTICATED_AUDIENCE,
        issuer: config.issuer,
        requiredClaims: ["exp", "sub"],
      }));
    } catch (error) {
      // An unreachable JWKS is our outage, not the caller's bad token: let it surface as internal.
      if (!(error instanceof joseErrors.JOSEError) || error instanceof joseErrors.JWKSTimeout) throw error;
      throw new DomainError("UNAUTHORIZED", describeTokenRejection(error), undefined, { cause: error });
    }
    const claims = accessTokenClaimsSchema.safeParse(payload);
    if (!claims.success)
      throw new DomainError("UNAUTHORIZED", "Access token is not a signed-in user's token");
    return claims.data as JwtClaims;
  };
}

function describeTokenRejection(error: InstanceType<typeof joseErrors.JOSEError>): string {
  if (error instanceof joseErrors.JWTExpired) return "Access token has expired; refresh it or sign in again";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return `Access token was not issued for this server (${error.claim} does not match)`;
  }
  return "Access token signature or format is invalid";
}
