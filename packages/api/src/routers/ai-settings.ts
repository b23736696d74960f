import {
  aiSettingsViewSchema,
  clearAiKeyInput,
  updateAiSettingsInput,
} from "../domain/ai-settings/ai-settings.schemas";
import { aiSettingsDeps, clearAiKey, getAiSettings, updateAiSettings } from "../domain/ai-settings/service";
import { noInput } from "../schemas";
import { requireRole, router, tenantProcedure } from "../trpc";

const actorUserId = (subject: { kind: "user" | "apiKey"; userId: string | null }) =>
  subject.kind === "user" ? subject.userId : null;

/** Per-tenant AI providers: every member reads the redacted settings; owners and admins change them. Keys are write-only. */
export const aiSettingsRouter = router({
  get: tenantProcedure
    .input(noInput)
    .output(aiSettingsViewSchema)
    .query(({ ctx }) => getAiSettings(ctx.tx, ctx.tenant)),

  update: tenantProcedure
    .use(requireRole("admin"))
    .input(updateAiSettingsInput)
    .output(aiSettingsViewSchema)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `tenant_ai_settings:${ctx.tenant.id}`;
      return updateAiSettings(ctx.tx, ctx.tenant, actorUserId(ctx.subject), input, await aiSettingsDeps(ctx));
    }),

  clearKey: tenantProcedure
    .use(requireRole("admin"))
    .input(clearAiKeyInput)
    .output(aiSettingsViewSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `tenant_ai_settings:${ctx.tenant.id}`;
      return clearAiKey(ctx.tx, ctx.tenant, actorUserId(ctx.subject), input.provider);
    }),
});
