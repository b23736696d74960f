import { sql, type Database, type Transaction } from "@techscaniq/db";
import { z } from "zod";

/** Weakest first: viewer reads, member writes, admin manages members and keys, owner everything. */
export const tenantRoles = ["viewer", "member", "admin", "owner"] as const;
export const tenantRoleSchema = z.enum(tenantRoles);
export type TenantRole = z.infer<typeof tenantRoleSchema>;

export function hasRole(actual: TenantRole, minimum: TenantRole): boolean {
  return tenantRoles.indexOf(actual) >= tenantRoles.indexOf(minimum);
}

/**
 * The caller's role in a tenant exactly as the policies see it
 * (private.tenant_role), or null. withRlsTx already hands over the active
 * tenant's role; this is for another tenant inside the same transaction.
 */
export async function tenantRoleOf(tx: Transaction<Database>, tenantId: string): Promise<TenantRole | null> {
  const { rows } = await sql<{
    role: TenantRole | null;
  }>`select private.tenant_role(${tenantId}::uuid) as role`.execute(tx);
  return rows[0]?.role ?? null;
}
