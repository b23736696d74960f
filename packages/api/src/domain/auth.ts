import { isUniqueViolation, sql, type Db } from "@techscaniq/db";
import type { AuthConfig, LocalAuthConfig } from "../auth/config";
import { hashPassword, verifyPassword } from "../auth/secrets";
import {
  createSession,
  revokeSession,
  rotateRefreshToken,
  type ClientInfo,
  type IssuedRefreshToken,
  type SessionSettings,
} from "../auth/sessions";
import type { SignInThrottle } from "../auth/sign-in-throttle";
import { signAccessToken, type AccessTokenUser } from "../auth/tokens";
import { DomainError } from "../errors";
import type { z } from "zod";
import type { authSessionSchema, authUserSchema } from "./auth.schemas";

/** Local-mode sign-up, sign-in and session handling against auth.users, the way GoTrue does it. */

export type AuthUser = z.output<typeof authUserSchema>;
export type AuthSession = z.output<typeof authSessionSchema>;

export function requireLocalAuth(config: AuthConfig): LocalAuthConfig {
  if (config.mode !== "local") {
    throw new DomainError(
      "PRECONDITION_FAILED",
      "Sign-in is handled by Supabase Auth on this server; use the Supabase client to sign in, sign up or refresh",
    );
  }
  return config;
}

const EMAIL_PROVIDER_METADATA = { provider: "email", providers: ["email"] };

type JsonObject = Record<string, unknown>;
const asObject = (value: unknown): JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};

function toAuthUser(row: { id: string; email: string | null; raw_user_meta_data: unknown }): AuthUser {
  const name = asObject(row.raw_user_meta_data).name;
  return { id: row.id, email: row.email ?? "", name: typeof name === "string" ? name : null };
}

async function issueSession(
  config: LocalAuthConfig,
  user: AccessTokenUser,
  refresh: IssuedRefreshToken,
): Promise<AuthSession> {
  const { accessToken, expiresAt } = await signAccessToken(config, user, refresh.sessionId);
  const name = user.userMetadata.name;
  return {
    user: { id: user.id, email: user.email, name: typeof name === "string" ? name : null },
    accessToken,
    expiresAt: expiresAt.toISOString(),
    refreshToken: refresh.refreshToken,
    refreshTokenExpiresAt: refresh.expiresAt.toISOString(),
  };
}

export async function signUp(
  db: Db,
  config: AuthConfig,
  input: { email: string; password: string; name?: string | undefined },
  client: ClientInfo,
  throttle: SignInThrottle,
): Promise<AuthSession> {
  const local = requireLocalAuth(config);
  await throttle.countSignUp(client.ip);
  const userMetadata = input.name ? { name: input.name } : {};
  let user;
  try {
    user = await db.kysely
      .insertInto("auth.users")
      .values({
        instance_id: "00000000-0000-0000-0000-000000000000",
        aud: "authenticated",
        role: "authenticated",
        email: input.email,
        encrypted_password: await hashPassword(input.password),
        // Local mode has no mail server to confirm addresses with.
        email_confirmed_at: sql<Date>`now()`,
        last_sign_in_at: sql<Date>`now()`,
        raw_app_meta_data: JSON.stringify(EMAIL_PROVIDER_METADATA),
        raw_user_meta_data: JSON.stringify(userMetadata),
      })
      .returning(["id", "email"])
      .executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new DomainError(
        "CONFLICT",
        "email: an account with this e-mail already exists; sign in instead",
        {
          email: ["an account with this e-mail already exists"],
        },
      );
    }
    throw error;
  }
  const refresh = await createSession(db, user.id, sessionSettings(local), client);
  return issueSession(
    local,
    { id: user.id, email: input.email, appMetadata: EMAIL_PROVIDER_METADATA, userMetadata },
    refresh,
  );
}

const INVALID_CREDENTIALS = "Invalid e-mail or password";
let unknownUserHash: Promise<string> | undefined;

export async function signIn(
  db: Db,
  config: AuthConfig,
  input: { email: string; password: string },
  client: ClientInfo,
  throttle: SignInThrottle,
): Promise<AuthSession> {
  const local = requireLocalAuth(config);
  await throttle.assertSignInAllowed(input.email, client.ip);
  const user = await db.kysely
    .selectFrom("auth.users")
    .select([
      "id",
      "email",
      "encrypted_password",
      "raw_app_meta_data",
      "raw_user_meta_data",
      "banned_until",
      "deleted_at",
    ])
    .where(sql<string>`lower(email)`, "=", input.email.toLowerCase())
    .where("is_sso_user", "=", false)
    .executeTakeFirst();
  if (!user?.encrypted_password) {
    // Spend the same bcrypt time as a real check, so response time does not reveal which e-mails exist.
    unknownUserHash ??= hashPassword("no account has this password");
    await verifyPassword(input.password, await unknownUserHash);
    await throttle.recordSignInFailure(input.email, client.ip);
    throw new DomainError("UNAUTHORIZED", INVALID_CREDENTIALS);
  }
  if (!(await verifyPassword(input.password, user.encrypted_password))) {
    await throttle.recordSignInFailure(input.email, client.ip);
    throw new DomainError("UNAUTHORIZED", INVALID_CREDENTIALS);
  }
  await throttle.recordSignInSuccess(input.email);
  if (user.deleted_at || (user.banned_until && new Date(user.banned_until) > new Date())) {
    throw new DomainError("FORBIDDEN", "This account is disabled");
  }
  await db.kysely
    .updateTable("auth.users")
    .set({ last_sign_in_at: sql<Date>`now()` })
    .where("id", "=", user.id)
    .execute();
  const refresh = await createSession(db, user.id, sessionSettings(local), client);
  return issueSession(
    local,
    {
      id: user.id,
      email: user.email ?? input.email,
      appMetadata: asObject(user.raw_app_meta_data),
      userMetadata: asObject(user.raw_user_meta_data),
    },
    refresh,
  );
}

const sessionSettings = (local: LocalAuthConfig): SessionSettings => ({
  secret: local.jwtSecret,
  ttlSeconds: local.refreshTokenTtlSeconds,
  reuseIntervalSeconds: local.refreshTokenReuseIntervalSeconds,
});

/** Rotates the refresh token and issues a fresh access token carrying the user's current metadata. */
export async function refreshSession(db: Db, config: AuthConfig, refreshToken: string): Promise<AuthSession> {
  const local = requireLocalAuth(config);
  const refresh = await rotateRefreshToken(db, refreshToken, sessionSettings(local));
  const user = await db.kysely
    .selectFrom("auth.users")
    .select(["id", "email", "raw_app_meta_data", "raw_user_meta_data"])
    .where("id", "=", refresh.userId)
    .executeTakeFirst();
  if (!user) throw new DomainError("UNAUTHORIZED", "This account no longer exists");
  return issueSession(
    local,
    {
      id: user.id,
      email: user.email ?? "",
      appMetadata: asObject(user.raw_app_meta_data),
      userMetadata: asObject(user.raw_user_meta_data),
    },
    refresh,
  );
}

export async function signOut(db: Db, config: AuthConfig, sessionId: string | null): Promise<void> {
  requireLocalAuth(config);
  if (!sessionId) throw new DomainError("BAD_REQUEST", "This access token has no session to sign out of");
  await revokeSession(db, sessionId, "sign_out");
}

export async function getUser(db: Db, userId: string): Promise<AuthUser | null> {
  const row = await db.kysely
    .selectFrom("auth.users")
    .select(["id", "email", "raw_user_meta_data"])
    .where("id", "=", userId)
    .executeTakeFirst();
  return row ? toAuthUser(row) : null;
}
