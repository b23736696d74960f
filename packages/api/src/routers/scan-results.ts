import {
  evidencePageSchema,
  findingViewSchema,
  listEvidenceInput,
  listFindingsInput,
  pageViewSchema,
  scanRefInput,
  screenshotInput,
  screenshotSchema,
} from "../domain/scans/scans.schemas";
import { listEvidence, listFindings, listPages, scanActorOf, screenshotRef } from "../domain/scans/service";
import { DomainError } from "../errors";
import { router, tenantProcedure } from "../trpc";

/** What a scan found: findings, crawled pages, evidence and screenshots (merged into `scan`). */
export const scanResultsRouter = router({
  findings: tenantProcedure
    .input(listFindingsInput)
    .output(findingViewSchema.array())
    .query(({ ctx, input }) => listFindings(ctx.tx, scanActorOf(ctx), input)),

  pages: tenantProcedure
    .input(scanRefInput)
    .output(pageViewSchema.array())
    .query(({ ctx, input }) => listPages(ctx.tx, scanActorOf(ctx), input.scanId)),

  evidence: router({
    list: tenantProcedure
      .input(listEvidenceInput)
      .output(evidencePageSchema)
      .query(({ ctx, input }) => listEvidence(ctx.tx, scanActorOf(ctx), input)),
  }),

  /** A page's PNG screenshot, base64 — only for members of the scan's tenant. */
  screenshot: tenantProcedure
    .input(screenshotInput)
    .output(screenshotSchema)
    .query(async ({ ctx, input }) => {
      const ref = await screenshotRef(ctx.tx, scanActorOf(ctx), input.scanId, input.pageId);
      const object = await ctx.storage.get(ref);
      if (!object)
        throw new DomainError("NOT_FOUND", `The screenshot of page ${input.pageId} is no longer stored`);
      return { contentType: object.contentType, base64: Buffer.from(object.body).toString("base64") };
    }),
});
