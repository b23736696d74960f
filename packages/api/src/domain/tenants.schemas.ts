import { z } from "zod";
import { emailSchema, idSchema, isoDateTime } from "../schemas";
import { tenantRoleSchema } from "./roles";

/** The tenant area's inputs and outputs: tenants, members and invitations. */

export const slugSchema = z
  .string({ error: "must be 3–40 lowercase letters, digits or dashes" })
  .regex(
    /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/,
    "must be 3–40 lowercase letters, digits or dashes, not starting or ending with a dash",
  );

export const tenantNameSchema = z
  .string({ error: "must be a name of 1 to 200 characters" })
  .trim()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters");

export const createTenantInput = z.strictObject({ slug: slugSchema, name: tenantNameSchema });
export const updateTenantInput = z.strictObject({ name: tenantNameSchema });
export const switchTenantInput = z.strictObject({ tenantId: idSchema("a tenant") });

export const tenantSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  plan: z.string(),
  /** The caller's role in it. */
  role: tenantRoleSchema,
  createdAt: isoDateTime,
  /** When the caller last made it their active tenant (null: never, or not known here). */
  lastUsedAt: isoDateTime.nullable(),
});

export const inviteMemberInput = z.strictObject({
  email: emailSchema,
  role: tenantRoleSchema.default("member"),
});
export const changeMemberRoleInput = z.strictObject({ userId: idSchema("a user"), role: tenantRoleSchema });
export const removeMemberInput = z.strictObject({ userId: idSchema("a user") });

export const memberSchema = z.object({
  userId: z.uuid(),
  email: z.string(),
  role: tenantRoleSchema,
  joinedAt: isoDateTime,
});

export const removedMemberSchema = z.object({ userId: z.uuid() });

export const invitationRefInput = z.strictObject({ invitationId: idSchema("an invitation") });

/** An invitation as its tenant's admins see it; the same whether or not the address has an account. */
export const invitationSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: tenantRoleSchema,
  invitedAt: isoDateTime,
  expiresAt: isoDateTime,
});

/** An invitation as its invitee sees it: which tenant asks them to join. */
export const myInvitationSchema = invitationSchema.extend({
  tenantId: z.uuid(),
  tenantName: z.string(),
});

export const acceptedInvitationSchema = z.object({ tenantId: z.uuid(), role: tenantRoleSchema });
export const declinedInvitationSchema = z.object({ invitationId: z.uuid() });
