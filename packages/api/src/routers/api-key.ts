import { insertApiKey, listApiKeys, revokeApiKey } from "../domain/api-keys";
import {
  apiKeyRefInput,
  apiKeySchema,
  createApiKeyInput,
  createdApiKeySchema,
} from "../domain/api-keys.schemas";
import { DomainError } from "../errors";
import { noInput } from "../schemas";
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
    .input(createApiKeyInput)
    .output(createdApiKeySchema)
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
    .output(apiKeySchema.array())
    .query(({ ctx }) => listApiKeys(ctx.tx, ctx.tenant.id)),

  revoke: keyAdminProcedure
    .input(apiKeyRefInput)
    .output(apiKeySchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `api_key:${input.apiKeyId}`;
      return revokeApiKey(ctx.tx, ctx.tenant.id, ctx.subject.userId, input.apiKeyId);
    }),
});
