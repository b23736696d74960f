import { z } from "zod";
import { apiKeyScopeSchema } from "./auth/api-keys";
import { tenantRoleSchema } from "./domain/roles";

/** Input and output shapes shared by the routers. Inputs are strict: an unknown field is an error, not ignored. */

export const noInput = z.strictObject({}).optional();

export const emailSchema = z
  .string({ error: "must be an e-mail address" })
  .trim()
  .max(254, "must be at most 254 characters")
  .pipe(z.email({ error: "must be an e-mail address" }))
  .transform((email) => email.toLowerCase());

/** bcrypt reads at most 72 bytes: longer passwords would be silently truncated, so they are refused. */
export const passwordSchema = z
  .string({ error: "must be a string of 8 to 72 characters" })
  .min(8, "must be at least 8 characters")
  .refine((password) => Buffer.byteLength(password) <= 72, "must be at most 72 bytes");

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

export const idSchema = (what: string) => z.uuid({ error: `must be ${what} id (uuid)` });

export const isoDateTime = z.iso.datetime();

export const tenantSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  plan: z.string(),
  role: tenantRoleSchema,
  createdAt: isoDateTime,
  lastUsedAt: isoDateTime.nullable(),
});

export const memberSchema = z.object({
  userId: z.uuid(),
  email: z.string(),
  role: tenantRoleSchema,
  joinedAt: isoDateTime,
});

/** An invitation as its tenant's admins see it; the same whether or not the address has an account. */
export const invitationSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: tenantRoleSchema,
  invitedAt: isoDateTime,
  expiresAt: isoDateTime,
});

/** An invitation as its invitee sees it. */
export const myInvitationSchema = invitationSchema.extend({
  tenantId: z.uuid(),
  tenantName: z.string(),
});

export const apiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(apiKeyScopeSchema),
  status: z.enum(["active", "revoked", "expired"]),
  createdBy: z.uuid().nullable(),
  createdAt: isoDateTime,
  expiresAt: isoDateTime.nullable(),
  revokedAt: isoDateTime.nullable(),
  lastUsedAt: isoDateTime.nullable(),
});

export const authUserSchema = z.object({ id: z.uuid(), email: z.string(), name: z.string().nullable() });

export const authSessionSchema = z.object({
  user: authUserSchema,
  accessToken: z.string(),
  expiresAt: isoDateTime,
  refreshToken: z.string(),
  refreshTokenExpiresAt: isoDateTime,
});
