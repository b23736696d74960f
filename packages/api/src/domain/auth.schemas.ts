import { z } from "zod";
import { apiKeyScopeSchema } from "../auth/api-keys";
import { emailSchema, isoDateTime } from "../schemas";

/** The auth area's inputs and outputs: sign-up, sign-in, refresh and who is calling. */

/** bcrypt reads at most 72 bytes: longer passwords would be silently truncated, so they are refused. */
export const passwordSchema = z
  .string({ error: "must be a string of 8 to 72 characters" })
  .min(8, "must be at least 8 characters")
  .refine((password) => Buffer.byteLength(password) <= 72, "must be at most 72 bytes");

export const signUpInput = z.strictObject({
  email: emailSchema,
  password: passwordSchema,
  name: z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters").optional(),
});

export const signInInput = z.strictObject({
  email: emailSchema,
  password: z.string().min(1, "must not be empty").max(1024, "is too long"),
});

export const refreshInput = z.strictObject({
  refreshToken: z.string().min(20, "must be a refresh token").max(200, "must be a refresh token"),
});

export const authUserSchema = z.object({ id: z.uuid(), email: z.string(), name: z.string().nullable() });

export const authSessionSchema = z.object({
  user: authUserSchema,
  accessToken: z.string(),
  /** When the access token expires. */
  expiresAt: isoDateTime,
  refreshToken: z.string(),
  /** When the session ends unless refreshed. */
  refreshTokenExpiresAt: isoDateTime,
});

export const signedOutSchema = z.object({ signedOut: z.literal(true) });

export const meSchema = z.object({
  kind: z.enum(["user", "apiKey"]),
  /** The person, or the key's creator (null for keys made from the shell). */
  user: authUserSchema.nullable(),
  sessionId: z.string().nullable(),
  apiKey: z.object({ id: z.uuid(), tenantId: z.uuid(), scopes: z.array(apiKeyScopeSchema) }).nullable(),
});
