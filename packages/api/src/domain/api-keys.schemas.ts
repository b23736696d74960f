import { z } from "zod";
import { apiKeyScopeSchema } from "../auth/api-keys";
import { idSchema, isoDateTime } from "../schemas";

/** The API key area's inputs and outputs. */

export const createApiKeyInput = z.strictObject({
  name: z
    .string({ error: "must be a name of 1 to 100 characters" })
    .trim()
    .min(1, "must not be empty")
    .max(100, "must be at most 100 characters"),
  scopes: z
    .array(apiKeyScopeSchema, { error: "must be a list of read, write, admin" })
    .min(1, "must list at least one of read, write, admin")
    .transform((scopes) => [...new Set(scopes)]),
  expiresAt: isoDateTime.nullable().default(null),
});

export const apiKeyRefInput = z.strictObject({ apiKeyId: idSchema("an API key") });

export const apiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  /** Non-secret start of the key (`tsk_<prefix>_…`), to tell keys apart. */
  prefix: z.string(),
  scopes: z.array(apiKeyScopeSchema),
  status: z.enum(["active", "revoked", "expired"]),
  createdBy: z.uuid().nullable(),
  createdAt: isoDateTime,
  expiresAt: isoDateTime.nullable(),
  revokedAt: isoDateTime.nullable(),
  lastUsedAt: isoDateTime.nullable(),
});

export const createdApiKeySchema = z.object({
  apiKey: apiKeySchema,
  /** The whole key; shown once, never stored. */
  secret: z.string(),
});
