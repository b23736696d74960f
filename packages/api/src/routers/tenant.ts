import {
  acceptInvitation,
  declineInvitation,
  inviteMember,
  listMyInvitations,
  listTenantInvitations,
  revokeInvitation,
} from "../domain/invitations";
import { changeMemberRole, listMembers, removeMember } from "../domain/members";
import {
  createTenant,
  getTenant,
  listMyTenants,
  switchTenant,
  updateTenant,
  type Actor,
} from "../domain/tenants";
import {
  acceptedInvitationSchema,
  changeMemberRoleInput,
  createTenantInput,
  declinedInvitationSchema,
  invitationRefInput,
  invitationSchema,
  inviteMemberInput,
  memberSchema,
  myInvitationSchema,
  removedMemberSchema,
  removeMemberInput,
  switchTenantInput,
  tenantSchema,
  updateTenantInput,
} from "../domain/tenants.schemas";
import { noInput } from "../schemas";
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
    .output(memberSchema.array())
    .query(({ ctx }) => listMembers(ctx.db, ctx.tx, ctx.tenant)),

  /**
   * Creates (or refreshes) a pending invitation the invitee accepts after signing in; the answer is
   * the same whether or not the address has an account, and no membership is created here.
   */
  invite: adminProcedure
    .input(inviteMemberInput)
    .output(invitationSchema)
    .mutation(async ({ ctx, input }) => {
      const invitation = await inviteMember(ctx.db, ctx.tx, ctx.tenant, ctx.subject.userId, input);
      ctx.audit.target = `invitation:${invitation.id}`;
      return invitation;
    }),

  changeRole: adminProcedure
    .input(changeMemberRoleInput)
    .output(memberSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `user:${input.userId}`;
      return changeMemberRole(ctx.db, ctx.tx, ctx.tenant, ctx.subject.userId, input);
    }),

  remove: adminProcedure
    .input(removeMemberInput)
    .output(removedMemberSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `user:${input.userId}`;
      return removeMember(ctx.tx, ctx.tenant, ctx.subject.userId, input);
    }),
});

const invitationsRouter = router({
  /** The active tenant's open invitations (admins). */
  list: adminProcedure
    .input(noInput)
    .output(invitationSchema.array())
    .query(({ ctx }) => listTenantInvitations(ctx.tx, ctx.tenant)),

  revoke: adminProcedure
    .input(invitationRefInput)
    .output(invitationSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `invitation:${input.invitationId}`;
      return revokeInvitation(ctx.tx, ctx.tenant, ctx.subject.userId, input);
    }),

  /** Open invitations addressed to the signed-in user's confirmed e-mail, from any tenant. */
  mine: userProcedure
    .input(noInput)
    .output(myInvitationSchema.array())
    .query(({ ctx }) => listMyInvitations(ctx.db, actorOf(ctx))),

  /** Joins the tenant with the invited role; accepting again is a no-op. */
  accept: userProcedure
    .input(invitationRefInput)
    .output(acceptedInvitationSchema)
    .mutation(({ ctx, input }) => acceptInvitation(ctx.db, actorOf(ctx), input)),

  decline: userProcedure
    .input(invitationRefInput)
    .output(declinedInvitationSchema)
    .mutation(({ ctx, input }) => declineInvitation(ctx.db, actorOf(ctx), input)),
});

export const tenantRouter = router({
  listMine: userProcedure
    .input(noInput)
    .output(tenantSchema.array())
    .query(({ ctx }) => listMyTenants(ctx.db, actorOf(ctx))),

  create: userProcedure
    .input(createTenantInput)
    .output(tenantSchema)
    .mutation(({ ctx, input }) => createTenant(ctx.db, actorOf(ctx), input)),

  /** The active tenant (x-tenant-id, or the API key's tenant). */
  get: tenantProcedure
    .input(noInput)
    .output(tenantSchema)
    .query(({ ctx }) => getTenant(ctx.tx, ctx.tenant)),

  update: adminProcedure
    .input(updateTenantInput)
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
    .input(switchTenantInput)
    .output(tenantSchema)
    .mutation(({ ctx, input }) => switchTenant(ctx.db, actorOf(ctx), input.tenantId)),

  members: membersRouter,
  invitations: invitationsRouter,
});
