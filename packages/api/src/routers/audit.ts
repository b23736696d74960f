import { listAuditEntries } from "../domain/audit";
import { auditEntrySchema, listAuditInput } from "../domain/audit.schemas";
import { requireRole, router, tenantProcedure } from "../trpc";

export const auditRouter = router({
  /** Newest first; pass the last entry's id as `beforeId` for the next page. */
  list: tenantProcedure
    .use(requireRole("admin"))
    .input(listAuditInput)
    .output(auditEntrySchema.array())
    .query(({ ctx, input }) => listAuditEntries(ctx.tx, ctx.tenant.id, input)),
});
