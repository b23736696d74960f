import {
  constraintName,
  emitEvent,
  isCheckViolation,
  type Database,
  type Db,
  type Transaction,
} from "@techscaniq/db";
import type { z } from "zod";
import { DomainError } from "../errors";
import type { TenantRole } from "./roles";
import type { memberSchema } from "./tenants.schemas";

export type MemberView = z.output<typeof memberSchema>;

interface TenantAccess {
  id: string;
  /** The acting caller's role. */
  role: TenantRole;
}

/**
 * E-mail addresses live in auth.users, which the `authenticated` role cannot
 * read (as on Supabase). Callers pass ids they already proved access to under
 * RLS; this owner-role lookup only attaches addresses to them.
 */
async function emailsOf(db: Db, userIds: string[]): Promise<Map<string, string>> {
  if (userIds.length === 0) return new Map();
  const rows = await db.kysely
    .selectFrom("auth.users")
    .select(["id", "email"])
    .where("id", "in", userIds)
    .execute();
  return new Map(rows.map((row) => [row.id, row.email ?? ""]));
}

export async function listMembers(
  db: Db,
  tx: Transaction<Database>,
  tenant: TenantAccess,
): Promise<MemberView[]> {
  const rows = await tx
    .selectFrom("memberships")
    .select(["user_id", "role", "created_at"])
    .where("tenant_id", "=", tenant.id)
    .orderBy("created_at")
    .execute();
  const emails = await emailsOf(
    db,
    rows.map((row) => row.user_id),
  );
  return rows.map((row) => ({
    userId: row.user_id,
    email: emails.get(row.user_id) ?? "",
    role: row.role as TenantRole,
    joinedAt: row.created_at.toISOString(),
  }));
}

export function requireOwnerFor(tenant: TenantAccess, what: string): void {
  if (tenant.role !== "owner") throw new DomainError("FORBIDDEN", `Only owners can ${what}`);
}

/** The last-owner trigger's refusal, in words. */
function lastOwnerRefusal(error: unknown): DomainError | undefined {
  if (isCheckViolation(error) && constraintName(error) === "memberships_last_owner") {
    return new DomainError(
      "CONFLICT",
      "A tenant must keep at least one owner: make another member owner first",
    );
  }
  return undefined;
}

async function currentRole(tx: Transaction<Database>, tenantId: string, userId: string): Promise<TenantRole> {
  const row = await tx
    .selectFrom("memberships")
    .select("role")
    .where("tenant_id", "=", tenantId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  if (!row)
    throw new DomainError("NOT_FOUND", "userId: no such member in this tenant", {
      userId: ["no such member in this tenant"],
    });
  return row.role as TenantRole;
}

export async function changeMemberRole(
  db: Db,
  tx: Transaction<Database>,
  tenant: TenantAccess,
  actorUserId: string | null,
  input: { userId: string; role: TenantRole },
): Promise<MemberView> {
  const previous = await currentRole(tx, tenant.id, input.userId);
  if (previous === "owner" || input.role === "owner")
    requireOwnerFor(tenant, "grant or take away the owner role");
  let row;
  try {
    row = await tx
      .updateTable("memberships")
      .set({ role: input.role })
      .where("tenant_id", "=", tenant.id)
      .where("user_id", "=", input.userId)
      .returning(["user_id", "role", "created_at"])
      .executeTakeFirstOrThrow();
  } catch (error) {
    throw lastOwnerRefusal(error) ?? error;
  }
  await emitEvent(tx, {
    type: "member.role_changed",
    tenantId: tenant.id,
    userId: actorUserId,
    subject: input.userId,
    data: { from: previous, to: input.role },
  });
  const emails = await emailsOf(db, [row.user_id]);
  return {
    userId: row.user_id,
    email: emails.get(row.user_id) ?? "",
    role: row.role as TenantRole,
    joinedAt: row.created_at.toISOString(),
  };
}

export async function removeMember(
  tx: Transaction<Database>,
  tenant: TenantAccess,
  actorUserId: string | null,
  input: { userId: string },
): Promise<{ userId: string }> {
  const previous = await currentRole(tx, tenant.id, input.userId);
  if (previous === "owner") requireOwnerFor(tenant, "remove an owner");
  try {
    await tx
      .deleteFrom("memberships")
      .where("tenant_id", "=", tenant.id)
      .where("user_id", "=", input.userId)
      .execute();
  } catch (error) {
    throw lastOwnerRefusal(error) ?? error;
  }
  await emitEvent(tx, {
    type: "member.removed",
    tenantId: tenant.id,
    userId: actorUserId,
    subject: input.userId,
    data: { role: previous },
  });
  return { userId: input.userId };
}
