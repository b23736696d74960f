import { sql, type Database, type Transaction } from "@techscaniq/db";
import type { z } from "zod";
import type { auditEntrySchema } from "./audit.schemas";

/** The actor is not part of an entry: the database takes it from the transaction's claims. */
export interface AuditEntry {
  tenantId: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
}

const SECRET_FIELD = /password|secret|token|apikey$/i;

const MAX_AUDIT_STRING = 2_000;

/**
 * Audit details never hold secrets, whatever the caller sent, nor whole uploads: a string longer than
 * 2,000 characters (a capability model file, an image) is kept as its start and its length.
 */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === "string" && value.length > MAX_AUDIT_STRING)
    return `${value.slice(0, 200)}… [${value.length} characters]`;
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      SECRET_FIELD.test(key) ? "[redacted]" : redactSecrets(inner),
    ]),
  );
}

/**
 * Appends to audit_log in the caller's transaction, so the entry exists exactly when the change does.
 * Through private.write_audit: no API role may insert into audit_log, and the actor (user or API key)
 * comes from the caller's claims, so an entry cannot name someone else.
 */
export async function writeAuditEntry(trx: Transaction<Database>, entry: AuditEntry): Promise<void> {
  await sql`select private.write_audit(${entry.tenantId}::uuid, ${entry.action}, ${entry.target},
                                       ${JSON.stringify(redactSecrets(entry.details))}::jsonb, ${entry.requestId})`.execute(
    trx,
  );
}

export type AuditLogEntryView = z.output<typeof auditEntrySchema>;

/**
 * The newest entries of a tenant, newest first, paged by id. The explicit
 * tenant filter lets Postgres use the (tenant_id, …) index; RLS still decides
 * which rows the caller may see.
 */
export async function listAuditEntries(
  trx: Transaction<Database>,
  tenantId: string,
  page: { limit: number; beforeId?: string | undefined },
): Promise<AuditLogEntryView[]> {
  let query = trx
    .selectFrom("audit_log")
    .select([
      "id",
      "actor_user_id",
      "actor_api_key_id",
      "action",
      "target",
      "details",
      "request_id",
      "created_at",
    ])
    .where("tenant_id", "=", tenantId)
    .orderBy("id", "desc")
    .limit(page.limit);
  if (page.beforeId) query = query.where("id", "<", page.beforeId);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    actorUserId: row.actor_user_id,
    actorApiKeyId: row.actor_api_key_id,
    action: row.action,
    target: row.target,
    details: row.details,
    requestId: row.request_id,
    createdAt: row.created_at.toISOString(),
  }));
}
