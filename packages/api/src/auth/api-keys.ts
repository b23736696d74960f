import { randomInt } from "node:crypto";
import { sql, type Db } from "@techscaniq/db";
import { z } from "zod";
import { DomainError } from "../errors";
import { randomSecret, sameSha256, sha256Hex } from "./secrets";

export const apiKeyScopes = ["read", "write", "admin"] as const;
export const apiKeyScopeSchema = z.enum(apiKeyScopes);
export type ApiKeyScope = z.infer<typeof apiKeyScopeSchema>;

const PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
const PREFIX_LENGTH = 10;
/** `tsk_<prefix>_<secret>`: the prefix finds the row, the whole key is hashed. */
const API_KEY_PATTERN = /^tsk_([a-z2-9]{10})_([A-Za-z0-9_-]{43})$/;

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith("tsk_");
}

export function generateApiKey(): { key: string; prefix: string; secretHash: string } {
  const prefix = Array.from(
    { length: PREFIX_LENGTH },
    () => PREFIX_ALPHABET[randomInt(PREFIX_ALPHABET.length)],
  ).join("");
  const key = `tsk_${prefix}_${randomSecret(32)}`;
  return { key, prefix, secretHash: sha256Hex(key) };
}

export interface VerifiedApiKey {
  id: string;
  tenantId: string;
  scopes: ApiKeyScope[];
  createdBy: string | null;
}

/** Usage is recorded at most this often per key, so busy keys do not turn every read into a write. */
const LAST_USED_RESOLUTION = "1 minute";

/**
 * Looks a presented key up (as the service role: this is how a key becomes an
 * identity at all) and refuses unknown, revoked and expired keys.
 */
export async function verifyApiKey(db: Db, presented: string): Promise<VerifiedApiKey> {
  const match = API_KEY_PATTERN.exec(presented);
  if (!match) throw new DomainError("UNAUTHORIZED", "API key is malformed: expected tsk_<prefix>_<secret>");
  const row = await db.kysely
    .selectFrom("api_keys")
    .select(["id", "tenant_id", "scopes", "created_by", "secret_hash", "revoked_at", "expires_at"])
    .select(sql<boolean>`expires_at is not null and expires_at <= now()`.as("expired"))
    .where("prefix", "=", match[1]!)
    .executeTakeFirst();
  if (!row || !sameSha256(presented, row.secret_hash))
    throw new DomainError("UNAUTHORIZED", "API key is not valid");
  if (row.revoked_at) throw new DomainError("UNAUTHORIZED", "API key has been revoked");
  if (row.expired) throw new DomainError("UNAUTHORIZED", "API key has expired");
  await db.kysely
    .updateTable("api_keys")
    .set({ last_used_at: sql<Date>`now()` })
    .where("id", "=", row.id)
    .where((eb) =>
      eb.or([
        eb("last_used_at", "is", null),
        eb("last_used_at", "<", sql<Date>`now() - ${LAST_USED_RESOLUTION}::interval`),
      ]),
    )
    .execute();
  return {
    id: row.id,
    tenantId: row.tenant_id,
    scopes: row.scopes.filter((scope): scope is ApiKeyScope => apiKeyScopeSchema.safeParse(scope).success),
    createdBy: row.created_by,
  };
}
