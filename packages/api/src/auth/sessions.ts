import { sql, withServiceTx, type Db } from "@techscaniq/db";
import { DomainError } from "../errors";
import { createHmac, randomUUID } from "node:crypto";
import { sha256Hex } from "./secrets";

/**
 * Local-mode sessions. A session is the `session_id` of its access tokens; its
 * refresh token is opaque, stored only as SHA-256, and rotates on every use.
 * Tokens are derived (HMAC of the signing secret, session and rotation
 * number), so a request presenting the token replaced moments ago — a
 * concurrent refresh from another tab or request — gets the current one back
 * (like GoTrue's reuse interval). Seen again later, it means the token leaked
 * (or was replayed), so the whole session is revoked.
 */

export interface ClientInfo {
  userAgent: string | null;
  ip: string | null;
}

export interface IssuedRefreshToken {
  sessionId: string;
  userId: string;
  refreshToken: string;
  expiresAt: Date;
}

export interface SessionSettings {
  /** Keys the refresh tokens (the local signing secret). */
  secret: Uint8Array;
  ttlSeconds: number;
  reuseIntervalSeconds: number;
}

function refreshTokenFor(secret: Uint8Array, sessionId: string, rotation: number): string {
  return createHmac("sha256", secret).update(`refresh-token:${sessionId}:${rotation}`).digest("base64url");
}

export async function createSession(
  db: Db,
  userId: string,
  settings: SessionSettings,
  client: ClientInfo,
): Promise<IssuedRefreshToken> {
  const sessionId = randomUUID();
  const refreshToken = refreshTokenFor(settings.secret, sessionId, 0);
  const row = await db.kysely
    .insertInto("sessions")
    .values({
      id: sessionId,
      user_id: userId,
      refresh_token_hash: sha256Hex(refreshToken),
      expires_at: sql<Date>`now() + make_interval(secs => ${settings.ttlSeconds})`,
      user_agent: client.userAgent?.slice(0, 500) ?? null,
      ip: client.ip,
    })
    .returning(["expires_at"])
    .executeTakeFirstOrThrow();
  return { sessionId, userId, refreshToken, expiresAt: new Date(row.expires_at) };
}

type RotationOutcome = { kind: "rotated"; issued: IssuedRefreshToken } | { kind: "refused"; reason: string };

/** Exchanges a refresh token for a new one; throws UNAUTHORIZED (after revoking on reuse) otherwise. */
export async function rotateRefreshToken(
  db: Db,
  refreshToken: string,
  settings: SessionSettings,
): Promise<IssuedRefreshToken> {
  const presentedHash = sha256Hex(refreshToken);
  // The revocation on reuse must commit even though the call fails, so the
  // transaction returns an outcome and the error is thrown after it.
  const outcome = await withServiceTx<RotationOutcome>(db, async (trx) => {
    const session = await trx
      .selectFrom("sessions")
      .select([
        "id",
        "user_id",
        "revoked_at",
        "expires_at",
        "rotation_count",
        sql<boolean>`refresh_token_hash = ${presentedHash}`.as("is_current"),
        sql<boolean>`rotated_at > now() - make_interval(secs => ${settings.reuseIntervalSeconds})`.as(
          "recently_rotated",
        ),
      ])
      .where((eb) =>
        eb.or([
          eb("refresh_token_hash", "=", presentedHash),
          eb("previous_refresh_token_hash", "=", presentedHash),
        ]),
      )
      .forUpdate()
      .executeTakeFirst();
    if (!session) return { kind: "refused", reason: "Refresh token is not valid; sign in again" };
    if (session.revoked_at)
      return { kind: "refused", reason: "This session has been signed out; sign in again" };
    if (new Date(session.expires_at) <= new Date())
      return { kind: "refused", reason: "This session has expired; sign in again" };

    if (!session.is_current) {
      if (session.recently_rotated) {
        // A concurrent refresh of the same session: answer with the current token, rotate nothing.
        return {
          kind: "rotated",
          issued: {
            sessionId: session.id,
            userId: session.user_id,
            refreshToken: refreshTokenFor(settings.secret, session.id, session.rotation_count),
            expiresAt: new Date(session.expires_at),
          },
        };
      }
      await trx
        .updateTable("sessions")
        .set({ revoked_at: sql<Date>`now()`, revoked_reason: "refresh_token_reuse" })
        .where("id", "=", session.id)
        .execute();
      return {
        kind: "refused",
        reason: "This refresh token was already used, so the session has been revoked; sign in again",
      };
    }

    const rotation = session.rotation_count + 1;
    const nextToken = refreshTokenFor(settings.secret, session.id, rotation);
    const rotated = await trx
      .updateTable("sessions")
      .set({
        previous_refresh_token_hash: presentedHash,
        refresh_token_hash: sha256Hex(nextToken),
        rotation_count: rotation,
        rotated_at: sql<Date>`now()`,
        expires_at: sql<Date>`now() + make_interval(secs => ${settings.ttlSeconds})`,
      })
      .where("id", "=", session.id)
      .returning(["expires_at"])
      .executeTakeFirstOrThrow();
    return {
      kind: "rotated",
      issued: {
        sessionId: session.id,
        userId: session.user_id,
        refreshToken: nextToken,
        expiresAt: new Date(rotated.expires_at),
      },
    };
  });
  if (outcome.kind === "refused") throw new DomainError("UNAUTHORIZED", outcome.reason);
  return outcome.issued;
}

/** Sign-out: the session's access tokens stop working at once, its refresh token too. */
export async function revokeSession(db: Db, sessionId: string, reason: string): Promise<void> {
  await db.kysely
    .updateTable("sessions")
    .set({ revoked_at: sql<Date>`now()`, revoked_reason: reason })
    .where("id", "=", sessionId)
    .where("revoked_at", "is", null)
    .execute();
}

/** The revocation list check every local access-token verification makes. */
export async function isSessionActive(db: Db, sessionId: string, userId: string): Promise<boolean> {
  const row = await db.kysely
    .selectFrom("sessions")
    .select("id")
    .where("id", "=", sessionId)
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .executeTakeFirst();
  return row !== undefined;
}
