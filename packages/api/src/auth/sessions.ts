import { sql, withServiceTx, type Db } from "@techscaniq/db";
import { DomainError } from "../errors";
import { randomSecret, sha256Hex } from "./secrets";

/**
 * Local-mode sessions. A session is the `session_id` of its access tokens; its
 * refresh token is opaque, stored only as SHA-256, and rotates on every use.
 * The replaced token's hash is kept: seeing it again means it leaked (or was
 * replayed), so the whole session is revoked.
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

export async function createSession(db: Db, userId: string, ttlSeconds: number, client: ClientInfo): Promise<IssuedRefreshToken> {
  const refreshToken = randomSecret(32);
  const row = await db.kysely
    .insertInto("sessions")
    .values({
      user_id: userId,
      refresh_token_hash: sha256Hex(refreshToken),
      expires_at: sql<Date>`now() + make_interval(secs => ${ttlSeconds})`,
      user_agent: client.userAgent?.slice(0, 500) ?? null,
      ip: client.ip,
    })
    .returning(["id", "expires_at"])
    .executeTakeFirstOrThrow();
  return { sessionId: row.id, userId, refreshToken, expiresAt: new Date(row.expires_at) };
}

type RotationOutcome = { kind: "rotated"; issued: IssuedRefreshToken } | { kind: "refused"; reason: string };

/** Exchanges a refresh token for a new one; throws UNAUTHORIZED (after revoking on reuse) otherwise. */
export async function rotateRefreshToken(db: Db, refreshToken: string, ttlSeconds: number): Promise<IssuedRefreshToken> {
  const presentedHash = sha256Hex(refreshToken);
  // The revocation on reuse must commit even though the call fails, so the
  // transaction returns an outcome and the error is thrown after it.
  const outcome = await withServiceTx<RotationOutcome>(db, async (trx) => {
    const current = await trx
      .selectFrom("sessions")
      .select(["id", "user_id", "revoked_at", "expires_at"])
      .where("refresh_token_hash", "=", presentedHash)
      .forUpdate()
      .executeTakeFirst();
    if (current) {
      if (current.revoked_at) return { kind: "refused", reason: "This session has been signed out; sign in again" };
      if (new Date(current.expires_at) <= new Date()) return { kind: "refused", reason: "This session has expired; sign in again" };
      const nextToken = randomSecret(32);
      const rotated = await trx
        .updateTable("sessions")
        .set({
          previous_refresh_token_hash: presentedHash,
          refresh_token_hash: sha256Hex(nextToken),
          rotation_count: sql<number>`rotation_count + 1`,
          rotated_at: sql<Date>`now()`,
          expires_at: sql<Date>`now() + make_interval(secs => ${ttlSeconds})`,
        })
        .where("id", "=", current.id)
        .returning(["expires_at"])
        .executeTakeFirstOrThrow();
      return {
        kind: "rotated",
        issued: { sessionId: current.id, userId: current.user_id, refreshToken: nextToken, expiresAt: new Date(rotated.expires_at) },
      };
    }
    const reused = await trx
      .updateTable("sessions")
      .set({ revoked_at: sql<Date>`now()`, revoked_reason: "refresh_token_reuse" })
      .where("previous_refresh_token_hash", "=", presentedHash)
      .where("revoked_at", "is", null)
      .returning("id")
      .executeTakeFirst();
    if (reused) {
      return { kind: "refused", reason: "This refresh token was already used, so the session has been revoked; sign in again" };
    }
    return { kind: "refused", reason: "Refresh token is not valid; sign in again" };
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
