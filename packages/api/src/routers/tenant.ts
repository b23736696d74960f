import { z } from "zod";
import {
  acceptInvitation,
  declineInvitation,
  inviteMember,
  listMyInvitations,
  listTenantInvitations,
  revokeInvitation,
} from "../domain/invitations";
import { changeMemberRole, listMembers, removeMember } from "../domain/members";
import { tenantRoleSchema } from "../domain/roles";
import {
  createTenant,
  getTenant,
  listMyTenants,
  switchTenant,
  updateTenant,
  type Actor,
} from "../domain/tenants";
import {
  emailSchema,
  idSchema,
  invitationSchema,
  memberSchema,
  myInvitationSchema,
  noInput,
  slugSchema,
  tenantNameSchema,
  tenantSchema,
} from "../schemas";
import { requireRole, router, tenantProcedure, userProcedure, type Context } from "../trpc";
import type { AuthSubject } from "../auth/authenticate";

const actorOf = (ctx: Context & { subject: AuthSubject }): Actor => ({
  userId: ctx.subject.userId,
  apiKeyId: ctx.subject.apiKeyId,
  claims: ctx.subject.claims,
  requestId: ctx.requestId,
});

const adminProcedure = tenantProcedure.use(requireRole("admin"));

const membersRouter = router({
  list: tenantProcedure
    .input(noInput)
    .output(z.array(memberSchema))
    .query(({ ctx }) => listMembers(ctx.db, ctx.tx, ctx.tenant)),

  /**
   * Creates (or refreshes) a pending invitation the invitee accepts after signing in; the answer is
   * the same whether or not the address has an account, and no membership is created here.
   */
  invite: adminProcedure
    .input(z.strictObject({ email: emailSchema, role: tenantRoleSchema.default("member") }))
    .output(invitationSchema)
    .mutation(async ({ ctx, input }) => {
      const invitation = await inviteMember(ctx.db, ctx.tx, ctx.tenant, ctx.subject.userId, input);
      ctx.audit.target = `invitation:${invitation.id}`;
      return invitation;
    }),

  changeRole: adminProcedure
    .input(z.strictObject({ userId: idSchema("a user"), role: tenantRoleSchema }))
    .output(memberSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `user:${input.userId}`;
      return changeMemberRole(ctx.db, ctx.tx, ctx.tenant, ctx.subject.userId, input);
    }),

  remove: adminProcedure
    .input(z.strictObject({ userId: idSchema("a user") }))
    .output(z.object({ userId: z.uuid() }))
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `user:${input.userId}`;
      return removeMember(ctx.tx, ctx.tenant, ctx.subject.userId, input);
    }),
});

const invitationIdInput = z.strictObject({ invitationId: idSchema("an invitation") });

const invitationsRouter = router({
  /** The active tenant's open invitations (admins). */
  list: adminProcedure
    .input(noInput)
    .output(z.array(invitationSchema))
    .query(({ ctx }) => listTenantInvitations(ctx.tx, ctx.tenant)),

  revoke: adminProcedure
    .input(invitationIdInput)
    .output(invitationSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `invitation:${input.invitationId}`;
      return revokeInvitation(ctx.tx, ctx.tenant, ctx.subject.userId, input);
    }),

  /** Open invitations addressed to the signed-in user's confirmed e-mail, from any tenant. */
  mine: userProcedure
    .input(noInput)
    .output(z.array(myInvitationSchema))
    .query(({ ctx }) => listMyInvitations(ctx.db, actorOf(ctx))),

  /** Joins the tenant with the invited role; accepting again is a no-op. */
  accept: userProcedure
    .input(invitationIdInput)
    .output(z.object({ tenantId: z.uuid(), role: tenantRoleSchema }))
    .mutation(({ ctx, input }) => acceptInvitation(ctx.db, actorOf(ctx), input)),

  decline: userProcedure
    .input(invitationIdInput)
    .output(z.object({ invitationId: z.uuid() }))
    .mutation(({ ctx, input }) => declineInvitation(ctx.db, actorOf(ctx), input)),
});

export const tenantRouter = router({
  listMine: userProcedure
    .input(noInput)
    .output(z.array(tenantSchema))
    .query(({ ctx }) => listMyTenants(ctx.db, actorOf(ctx))),

  create: userProcedure
    .input(z.strictObject({ slug: slugSchema, name: tenantNameSchema }))
    .output(tenantSchema)
    .mutation(({ ctx, input }) => createTenant(ctx.db, actorOf(ctx), input)),

  /** The active tenant (x-tenant-id, or the API key's tenant). */
  get: tenantProcedure
    .input(noInput)
    .output(tenantSchema)
    .query(({ ctx }) => getTenant(ctx.tx, ctx.tenant)),

  update: adminProcedure
    .input(z.strictObject({ name: tenantNameSchema }))
    .output(tenantSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `tenant:${ctx.tenant.id}`;
      return updateTenant(ctx.tx, ctx.tenant, ctx.subject.userId, input);
    }),

  /**
   * Validates that the caller belongs to the tenant and returns it with their
   * role; the client then sends its id as `x-tenant-id`. No new token is
   * issued, so this works the same with Supabase-issued tokens.
   */
  switch: userProcedure
    .input(z.strictObject({ tenantId: idSchema("a tenant") }))
    .output(tenantSchema)
    .mutation(({ ctx, input }) => switchTenant(ctx.db, actorOf(ctx), input.tenantId)),

  members: membersRouter,
  invitations: invitationsRouter,
});
