import { emitEvent, sql, withServiceTx, type Database, type Db, type Transaction } from "@techscaniq/db";
import { generateApiKey, type ApiKeyScope } from "../auth/api-keys";
import { DomainError } from "../errors";
import type { z } from "zod";
import type { apiKeySchema, createdApiKeySchema } from "./api-keys.schemas";
import { writeAuditEntry } from "./audit";

export type ApiKeyView = z.output<typeof apiKeySchema>;

export type CreatedApiKey = z.output<typeof createdApiKeySchema>;

const apiKeyColumns = [
  "id",
  "name",
  "prefix",
  "scopes",
  "created_by",
  "created_at",
  "expires_at",
  "revoked_at",
  "last_used_at",
] as const;

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_by: string | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

function toApiKeyView(row: ApiKeyRow): ApiKeyView {
  const status = row.revoked_at
    ? "revoked"
    : row.expires_at && row.expires_at <= new Date()
      ? "expired"
      : "active";
  return {
    id: row.id,
    name: row.name,
    prefix: `tsk_${row.prefix}`,
    scopes: row.scopes as ApiKeyScope[],
    status,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
  };
}

export interface NewApiKey {
  tenantId: string;
  name: string;
  scopes: ApiKeyScope[];
  expiresAt: Date | null;
  createdBy: string | null;
}

/** Inserts a key in the caller's transaction (RLS as a tenant admin, or the service role for operators). */
export async function insertApiKey(trx: Transaction<Database>, key: NewApiKey): Promise<CreatedApiKey> {
  if (key.expiresAt && key.expiresAt <= new Date()) {
    throw new DomainError("BAD_REQUEST", "expiresAt: must be in the future", {
      expiresAt: ["must be in the future"],
    });
  }
  const generated = generateApiKey();
  const row = await trx
    .insertInto("api_keys")
    .values({
      tenant_id: key.tenantId,
      name: key.name,
      prefix: generated.prefix,
      secret_hash: generated.secretHash,
      scopes: key.scopes,
      created_by: key.createdBy,
      expires_at: key.expiresAt,
    })
    .returning(apiKeyColumns)
    .executeTakeFirstOrThrow();
  await emitEvent(trx, {
    type: "api_key.created",
    tenantId: key.tenantId,
    userId: key.createdBy,
    subject: row.id,
    data: { name: row.name, scopes: row.scopes },
  });
  return { apiKey: toApiKeyView(row), secret: generated.key };
}

/**
 * For operators (`./techscaniq admin create-api-key --tenant <slug> --name <name>`):
 * creates a key as the service role, audited with no acting user.
 */
export async function createApiKey(
  db: Db,
  input: { tenantSlug: string; name: string; scopes?: ApiKeyScope[]; expiresAt?: Date | null },
): Promise<CreatedApiKey & { tenantId: string }> {
  return withServiceTx(db, async (trx) => {
    const tenant = await trx
      .selectFrom("tenants")
      .select("id")
      .where("slug", "=", input.tenantSlug)
      .executeTakeFirst();
    if (!tenant)
      throw new DomainError("NOT_FOUND", `tenant: no tenant has the slug "${input.tenantSlug}"`, {
        tenant: ["not found"],
      });
    const created = await insertApiKey(trx, {
      tenantId: tenant.id,
      name: input.name,
      scopes: input.scopes ?? ["read", "write"],
      expiresAt: input.expiresAt ?? null,
      createdBy: null,
    });
    await writeAuditEntry(trx, {
      tenantId: tenant.id,
      action: "apiKey.create",
      target: `api_key:${created.apiKey.id}`,
      details: { via: "cli", name: input.name, scopes: created.apiKey.scopes },
      requestId: null,
    });
    return { ...created, tenantId: tenant.id };
  });
}

export async function listApiKeys(tx: Transaction<Database>, tenantId: string): Promise<ApiKeyView[]> {
  const rows = await tx
    .selectFrom("api_keys")
    .select(apiKeyColumns)
    .where("tenant_id", "=", tenantId)
    .orderBy("created_at", "desc")
    .execute();
  return rows.map(toApiKeyView);
}

/** Revokes a key at once; revoking a revoked key changes nothing. */
export async function revokeApiKey(
  tx: Transaction<Database>,
  tenantId: string,
  actorUserId: string | null,
  apiKeyId: string,
): Promise<ApiKeyView> {
  const row = await tx
    .updateTable("api_keys")
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where("id", "=", apiKeyId)
    .where("tenant_id", "=", tenantId)
    .returning(apiKeyColumns)
    .executeTakeFirst();
  if (!row)
    throw new DomainError("NOT_FOUND", "apiKeyId: no such API key in this tenant", {
      apiKeyId: ["no such API key in this tenant"],
    });
  await emitEvent(tx, {
    type: "api_key.revoked",
    tenantId,
    userId: actorUserId,
    subject: row.id,
    data: { name: row.name },
  });
  return toApiKeyView(row);
}
