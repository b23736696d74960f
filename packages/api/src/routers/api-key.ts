import { z } from "zod";
import { apiKeyScopeSchema } from "../auth/api-keys";
import { insertApiKey, listApiKeys, revokeApiKey } from "../domain/api-keys";
import { DomainError } from "../errors";
import { apiKeySchema, idSchema, isoDateTime, noInput } from "../schemas";
import { requireRole, router, tenantProcedure } from "../trpc";

/** Keys are managed by signed-in tenant admins; a key cannot mint or revoke keys. */
const keyAdminProcedure = tenantProcedure.use(requireRole("admin")).use(({ ctx, next }) => {
  if (ctx.subject.kind !== "user")
    throw new DomainError("FORBIDDEN", "API keys cannot manage API keys; sign in as a tenant admin");
  return next({ ctx: { subject: ctx.subject } });
});

export const apiKeyRouter = router({
  /** The secret is in this response only. */
  create: keyAdminProcedure
    .input(
      z.strictObject({
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
      }),
    )
    .output(z.object({ apiKey: apiKeySchema, secret: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const created = await insertApiKey(ctx.tx, {
        tenantId: ctx.tenant.id,
        name: input.name,
        scopes: input.scopes,
        expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
        createdBy: ctx.subject.userId,
      });
      ctx.audit.target = `api_key:${created.apiKey.id}`;
      return created;
    }),

  list: keyAdminProcedure
    .input(noInput)
    .output(z.array(apiKeySchema))
    .query(({ ctx }) => listApiKeys(ctx.tx, ctx.tenant.id)),

  revoke: keyAdminProcedure
    .input(z.strictObject({ apiKeyId: idSchema("an API key") }))
    .output(apiKeySchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `api_key:${input.apiKeyId}`;
      return revokeApiKey(ctx.tx, ctx.tenant.id, ctx.subject.userId, input.apiKeyId);
    }),
});
