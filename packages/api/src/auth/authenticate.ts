import type { Db, JwtClaims } from "@techscaniq/db";
import { z } from "zod";
import { DomainError } from "../errors";
import { looksLikeApiKey, verifyApiKey, type ApiKeyScope } from "./api-keys";
import { AUTHENTICATED_AUDIENCE, type AuthConfig } from "./config";
import { isSessionActive } from "./sessions";
import { createAccessTokenVerifier } from "./tokens";

/** A person, signed in with an access token. */
export interface UserSubject {
  kind: "user";
  userId: string;
  email: string | null;
  sessionId: string | null;
  apiKeyId: null;
  scopes: null;
  claims: JwtClaims;
}

/** An internal tool, acting through a tenant-bound API key. */
export interface ApiKeySubject {
  kind: "apiKey";
  /** The key's creator, carried as `sub` like PostgREST would; null when an operator created it from the shell. */
  userId: string | null;
  email: null;
  sessionId: null;
  apiKeyId: string;
  scopes: ApiKeyScope[];
  /** The only tenant the key can act on. */
  tenantId: string;
  claims: JwtClaims;
}

export type AuthSubject = UserSubject | ApiKeySubject;

export interface Authentication {
  subject: AuthSubject | null;
  /** Why presented credentials were refused; protected procedures report it. */
  failure: DomainError | null;
}

export type Authenticator = (headers: Headers) => Promise<Authentication>;

const sessionIdSchema = z.uuid();

export function createAuthenticator(db: Db, config: AuthConfig): Authenticator {
  const verifyAccessToken = createAccessTokenVerifier(config);

  async function subjectFromApiKey(presented: string): Promise<ApiKeySubject> {
    const key = await verifyApiKey(db, presented);
    return {
      kind: "apiKey",
      userId: key.createdBy,
      email: null,
      sessionId: null,
      apiKeyId: key.id,
      scopes: key.scopes,
      tenantId: key.tenantId,
      claims: {
        ...(key.createdBy ? { sub: key.createdBy } : {}),
        role: "authenticated",
        aud: AUTHENTICATED_AUDIENCE,
        app_metadata: { tenant_id: key.tenantId, api_key_id: key.id, scopes: key.scopes },
      },
    };
  }

  async function subjectFromAccessToken(token: string): Promise<UserSubject> {
    const claims = await verifyAccessToken(token);
    const userId = claims.sub as string;
    const sessionId = claims.session_id ?? null;
    // Supabase Auth keeps its own sessions; locally the sessions table is the revocation list.
    if (config.mode === "local") {
      if (
        !sessionId ||
        !sessionIdSchema.safeParse(sessionId).success ||
        !(await isSessionActive(db, sessionId, userId))
      ) {
        throw new DomainError(
          "UNAUTHORIZED",
          "This session has been signed out or has expired; sign in again",
        );
      }
    }
    return {
      kind: "user",
      userId,
      email: claims.email ?? null,
      sessionId,
      apiKeyId: null,
      scopes: null,
      claims,
    };
  }

  return async (headers) => {
    try {
      const apiKeyHeader = headers.get("x-api-key")?.trim();
      const authorization = headers.get("authorization")?.trim();
      if (apiKeyHeader) return { subject: await subjectFromApiKey(apiKeyHeader), failure: null };
      if (!authorization) return { subject: null, failure: null };
      const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      if (!bearer)
        throw new DomainError(
          "UNAUTHORIZED",
          "Authorization header must be 'Bearer <access token or API key>'",
        );
      const subject = looksLikeApiKey(bearer)
        ? await subjectFromApiKey(bearer)
        : await subjectFromAccessToken(bearer);
      return { subject, failure: null };
    } catch (error) {
      if (error instanceof DomainError) return { subject: null, failure: error };
      throw error;
    }
  };
}
