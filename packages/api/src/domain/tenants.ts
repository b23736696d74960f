import {
  emitEvent,
  isUniqueViolation,
  sql,
  withRlsTx,
  type Database,
  type Db,
  type JwtClaims,
  type Transaction,
} from "@techscaniq/db";
import type { z } from "zod";
import { DomainError } from "../errors";
import type { TenantRole } from "./roles";
import { writeAuditEntry } from "./audit";
import type { tenantSchema } from "./tenants.schemas";

export type TenantView = z.output<typeof tenantSchema>;

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  plan: string;
  created_at: Date;
}

const toTenantView = (row: TenantRow, role: TenantRole, lastUsedAt: Date | null = null): TenantView => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  plan: row.plan,
  role,
  createdAt: row.created_at.toISOString(),
  lastUsedAt: lastUsedAt?.toISOString() ?? null,
});

export interface Actor {
  userId: string | null;
  apiKeyId: string | null;
  claims: JwtClaims;
  requestId: string;
}

/** The tenants the signed-in user belongs to, with their role in each. */
export async function listMyTenants(db: Db, actor: Actor): Promise<TenantView[]> {
  return withRlsTx(db, actor.claims, async (tx) => {
    const rows = await tx
      .selectFrom("tenants")
      .innerJoin("memberships", "memberships.tenant_id", "tenants.id")
      .select([
        "tenants.id",
        "tenants.slug",
        "tenants.name",
        "tenants.plan",
        "tenants.created_at",
        "memberships.role",
        "memberships.last_used_at",
      ])
      .where("memberships.user_id", "=", sql<string>`(select auth.uid())`)
      .orderBy("tenants.name")
      .execute();
    return rows.map((row) => toTenantView(row, row.role as TenantRole, row.last_used_at));
  });
}

const slugTaken = (slug: string) =>
  new DomainError("CONFLICT", `slug: "${slug}" is already taken; choose another`, {
    slug: ["is already taken"],
  });

/** Creates a tenant owned by the caller (public.create_tenant), with its event and audit entry. */
export async function createTenant(
  db: Db,
  actor: Actor,
  input: { slug: string; name: string },
): Promise<TenantView> {
  try {
    return await withRlsTx(db, actor.claims, async (tx) => {
      const { rows } =
        await sql<TenantRow>`select id, slug, name, plan, created_at from public.create_tenant(${input.slug}, ${input.name})`.execute(
          tx,
        );
      const tenant = rows[0];
      if (!tenant) throw new Error("create_tenant returned no row");
      await emitEvent(tx, {
        type: "tenant.created",
        tenantId: tenant.id,
        userId: actor.userId,
        subject: tenant.id,
        data: { slug: tenant.slug, name: tenant.name },
      });
      await writeAuditEntry(tx, {
        tenantId: tenant.id,
        action: "tenant.create",
        target: `tenant:${tenant.id}`,
        details: { input },
        requestId: actor.requestId,
      });
      return toTenantView(tenant, "owner");
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw slugTaken(input.slug);
    throw error;
  }
}

export async function getTenant(
  tx: Transaction<Database>,
  tenant: { id: string; role: TenantRole },
): Promise<TenantView> {
  const row = await tx
    .selectFrom("tenants")
    .select(["id", "slug", "name", "plan", "created_at"])
    .where("id", "=", tenant.id)
    .executeTakeFirst();
  if (!row) throw new DomainError("NOT_FOUND", "Tenant not found");
  return toTenantView(row, tenant.role);
}

/** Renames the tenant (the slug and plan are not the tenant admins' to change). */
export async function updateTenant(
  tx: Transaction<Database>,
  tenant: { id: string; role: TenantRole },
  actorUserId: string | null,
  input: { name: string },
): Promise<TenantView> {
  const row = await tx
    .updateTable("tenants")
    .set({ name: input.name })
    .where("id", "=", tenant.id)
    .returning(["id", "slug", "name", "plan", "created_at"])
    .executeTakeFirst();
  if (!row) throw new DomainError("NOT_FOUND", "Tenant not found");
  await emitEvent(tx, {
    type: "tenant.updated",
    tenantId: tenant.id,
    userId: actorUserId,
    subject: tenant.id,
    data: { name: input.name },
  });
  return toTenantView(row, tenant.role);
}

/**
 * Checks the caller may act in `tenantId`, records it as their last used
 * tenant (the one signing in makes active again) and returns it with their role.
 * Clients then send that id as `x-tenant-id`; tokens are not re-issued, so
 * switching works the same with local and Supabase tokens.
 */
export async function switchTenant(db: Db, actor: Actor, tenantId: string): Promise<TenantView> {
  return withRlsTx(
    db,
    actor.claims,
    async (tx, { tenantRole: role }) => {
      if (!role) throw new DomainError("FORBIDDEN", "You are not a member of this tenant");
      await sql`select public.mark_tenant_used(${tenantId})`.execute(tx);
      return { ...(await getTenant(tx, { id: tenantId, role })), lastUsedAt: new Date().toISOString() };
    },
    { tenantId },
  );
}
