import {
  emitEvent,
  sql,
  withRlsTx,
  type Database,
  type Db,
  type Selectable,
  type Transaction,
} from "@techscaniq/db";
import type { z } from "zod";
import { DomainError } from "../errors";
import { writeAuditEntry } from "./audit";
import { requireOwnerFor } from "./members";
import type { TenantRole } from "./roles";
import type { Actor } from "./tenants";
import type { invitationSchema, myInvitationSchema } from "./tenants.schemas";

/** How long an invitation can be accepted; inviting the address again extends it. */
const INVITATION_LIFETIME = "14 days";

export type InvitationView = z.output<typeof invitationSchema>;

export type MyInvitationView = z.output<typeof myInvitationSchema>;

interface TenantAccess {
  id: string;
  /** The acting caller's role. */
  role: TenantRole;
}

type InvitationRow = Pick<
  Selectable<Database["invitations"]>,
  "id" | "email" | "role" | "created_at" | "expires_at"
>;

const toInvitationView = (row: InvitationRow): InvitationView => ({
  id: row.id,
  email: row.email,
  role: row.role,
  invitedAt: row.created_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
});

/** Open: neither accepted, declined nor revoked (it may still have expired). */
const isOpen = sql<boolean>`accepted_at is null and declined_at is null and revoked_at is null`;

/**
 * Creates (or refreshes) a pending invitation. The answer is the same whether
 * or not the address has an account, and no membership is created: the
 * invitee accepts after signing in. Only an address that is already a member
 * of this tenant is refused, which the admin can see in the member list anyway.
 */
export async function inviteMember(
  db: Db,
  tx: Transaction<Database>,
  tenant: TenantAccess,
  actorUserId: string | null,
  input: { email: string; role: TenantRole },
): Promise<InvitationView> {
  if (input.role === "owner") requireOwnerFor(tenant, "make someone an owner");
  const email = input.email.toLowerCase();
  // Owner-role lookup limited to this tenant's members (auth.users is not readable by `authenticated`).
  const member = await db.kysely
    .selectFrom("memberships")
    .innerJoin("auth.users", "auth.users.id", "memberships.user_id")
    .select("memberships.user_id")
    .where("memberships.tenant_id", "=", tenant.id)
    .where(sql<string>`lower(auth.users.email)`, "=", email)
    .executeTakeFirst();
  if (member)
    throw new DomainError("CONFLICT", `email: ${email} is already a member of this tenant`, {
      email: ["is already a member"],
    });
  const row = await tx
    .insertInto("invitations")
    .values({
      tenant_id: tenant.id,
      email,
      role: input.role,
      invited_by: actorUserId,
      expires_at: sql<Date>`now() + ${INVITATION_LIFETIME}::interval`,
    })
    .onConflict((conflict) =>
      conflict
        .columns(["tenant_id", "email"])
        .where(isOpen)
        .doUpdateSet({
          role: input.role,
          invited_by: actorUserId,
          expires_at: sql<Date>`now() + ${INVITATION_LIFETIME}::interval`,
        }),
    )
    .returning(["id", "email", "role", "created_at", "expires_at"])
    .executeTakeFirstOrThrow();
  await emitEvent(tx, {
    type: "invitation.created",
    tenantId: tenant.id,
    userId: actorUserId,
    subject: row.id,
    data: { role: input.role },
  });
  return toInvitationView(row);
}

/** The tenant's open invitations (expired ones included, so they can be revoked or renewed). */
export async function listTenantInvitations(
  tx: Transaction<Database>,
  tenant: TenantAccess,
): Promise<InvitationView[]> {
  const rows = await tx
    .selectFrom("invitations")
    .select(["id", "email", "role", "created_at", "expires_at"])
    .where("tenant_id", "=", tenant.id)
    .where(isOpen)
    .orderBy("created_at")
    .execute();
  return rows.map(toInvitationView);
}

export async function revokeInvitation(
  tx: Transaction<Database>,
  tenant: TenantAccess,
  actorUserId: string | null,
  input: { invitationId: string },
): Promise<InvitationView> {
  const found = await tx
    .selectFrom("invitations")
    .select(["id", "role", "accepted_at", "declined_at", "revoked_at"])
    .where("tenant_id", "=", tenant.id)
    .where("id", "=", input.invitationId)
    .executeTakeFirst();
  if (!found)
    throw new DomainError("NOT_FOUND", "invitationId: no such invitation in this tenant", {
      invitationId: ["no such invitation in this tenant"],
    });
  if (found.role === "owner") requireOwnerFor(tenant, "revoke an invitation to the owner role");
  const outcome = found.accepted_at
    ? "accepted"
    : found.declined_at
      ? "declined"
      : found.revoked_at && "revoked";
  if (outcome)
    throw new DomainError("CONFLICT", `invitationId: this invitation was already ${outcome}`, {
      invitationId: [`was already ${outcome}`],
    });
  const row = await tx
    .updateTable("invitations")
    .set({ revoked_at: sql<Date>`now()` })
    .where("id", "=", found.id)
    .returning(["id", "email", "role", "created_at", "expires_at"])
    .executeTakeFirstOrThrow();
  await emitEvent(tx, {
    type: "invitation.revoked",
    tenantId: tenant.id,
    userId: actorUserId,
    subject: row.id,
    data: { role: row.role },
  });
  return toInvitationView(row);
}

/** Open, unexpired invitations addressed to the signed-in user's confirmed e-mail (RLS picks them). */
export async function listMyInvitations(db: Db, actor: Actor): Promise<MyInvitationView[]> {
  const rows = await withRlsTx(db, actor.claims, (tx) =>
    tx
      .selectFrom("invitations")
      .select(["id", "tenant_id", "email", "role", "created_at", "expires_at"])
      .where("email", "=", sql<string>`(select private.current_user_email())`)
      .where(isOpen)
      .where("expires_at", ">", sql<Date>`now()`)
      .orderBy("created_at")
      .execute(),
  );
  if (rows.length === 0) return [];
  // The invitee is not a member yet, so RLS hides the tenant: an owner-role lookup of only these ids.
  const tenants = await db.kysely
    .selectFrom("tenants")
    .select(["id", "name"])
    .where(
      "id",
      "in",
      rows.map((row) => row.tenant_id),
    )
    .execute();
  const names = new Map(tenants.map((tenant) => [tenant.id, tenant.name]));
  return rows.map((row) => ({
    ...toInvitationView(row),
    tenantId: row.tenant_id,
    tenantName: names.get(row.tenant_id) ?? "",
  }));
}

interface Answer {
  id: string;
  tenant_id: string;
  role: TenantRole;
  state: string;
}

const notFound = () =>
  new DomainError("NOT_FOUND", "invitationId: no such invitation for your e-mail address", {
    invitationId: ["no such invitation for your e-mail address"],
  });

const refusal = (state: string) =>
  new DomainError(
    "CONFLICT",
    state === "expired"
      ? "invitationId: this invitation has expired; ask an admin of the tenant to invite you again"
      : `invitationId: this invitation was ${state}`,
    { invitationId: [state === "expired" ? "has expired" : `was ${state}`] },
  );

/**
 * The invitee accepts: the membership is created with the invited role in the
 * same transaction as the event and audit entry. Accepting twice is a no-op.
 */
export async function acceptInvitation(
  db: Db,
  actor: Actor,
  input: { invitationId: string },
): Promise<{ tenantId: string; role: TenantRole }> {
  return withRlsTx(db, actor.claims, async (tx) => {
    const { rows } = await sql<{
      answer: Answer | null;
    }>`select public.accept_invitation(${input.invitationId}::uuid) as answer`.execute(tx);
    const answer = rows[0]?.answer;
    if (!answer) throw notFound();
    if (answer.state !== "accepted" && answer.state !== "already_accepted") throw refusal(answer.state);
    if (answer.state === "accepted") {
      await emitEvent(tx, {
        type: "member.added",
        tenantId: answer.tenant_id,
        userId: actor.userId,
        subject: actor.userId ?? "",
        data: { role: answer.role, invitationId: answer.id },
      });
      await writeAuditEntry(tx, {
        tenantId: answer.tenant_id,
        action: "tenant.invitations.accept",
        target: `invitation:${answer.id}`,
        details: { input },
        requestId: actor.requestId,
      });
    }
    return { tenantId: answer.tenant_id, role: answer.role };
  });
}

/**
 * The invitee declines. The decliner is no member, so no event or audit entry
 * can be written in the tenant's name; admins see the invitation leave the open list.
 */
export async function declineInvitation(
  db: Db,
  actor: Actor,
  input: { invitationId: string },
): Promise<{ invitationId: string }> {
  return withRlsTx(db, actor.claims, async (tx) => {
    const { rows } = await sql<{
      answer: Answer | null;
    }>`select public.decline_invitation(${input.invitationId}::uuid) as answer`.execute(tx);
    const answer = rows[0]?.answer;
    if (!answer) throw notFound();
    if (answer.state !== "declined" && answer.state !== "already_declined") throw refusal(answer.state);
    return { invitationId: answer.id };
  });
}
