import { usageSummary } from "../domain/usage/service";
import { usageSummaryInput, usageSummarySchema } from "../domain/usage/usage.schemas";
import { router, tenantProcedure } from "../trpc";

/** What the tenant has used so far: AI calls, tokens and cost, and scans. Every member may read it. */
export const usageRouter = router({
  summary: tenantProcedure
    .input(usageSummaryInput)
    .output(usageSummarySchema)
    .query(({ ctx, input }) => usageSummary(ctx.tx, ctx.tenant.id, input)),
});
