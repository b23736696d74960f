import { FINDING_KINDS, FINDING_SEVERITIES } from "@techscaniq/contracts/scan";
import { withRlsTx } from "@techscaniq/db";
import { tracked } from "@trpc/server";
import { z } from "zod";
import { streamScanEvents, latestEventId } from "../domain/scans/events";
import {
  createScanInput,
  listEvidenceInput,
  listFindingsInput,
  listScansInput,
  progressInput,
  scanRefInput,
  scanStages,
  scanStatuses,
  screenshotInput,
} from "../domain/scans/input";
import {
  cancelScan,
  createScan,
  deleteScan,
  deleteScanObjects,
  findScan,
  listEvidence,
  listFindings,
  listPages,
  listScans,
  rescan,
  retryScan,
  screenshotRef,
  toScanView,
  scanActorOf,
} from "../domain/scans/service";
import { DomainError } from "../errors";
import { tenantRoleOf } from "../domain/roles";
import { activeTenantId, protectedProcedure, requireRole, router, tenantProcedure } from "../trpc";

const writeProcedure = tenantProcedure.use(requireRole("member"));

const scanSchema = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  createdBy: z.uuid().nullable(),
  targetUrl: z.string(),
  thesis: z.string().nullable(),
  repositories: z.array(z.string()),
  options: z.object({ maxPages: z.number(), renderCount: z.number(), maxDepth: z.number() }),
  status: z.enum(scanStatuses),
  stage: z.enum(scanStages).nullable(),
  progress: z.number(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  attempts: z.number(),
  retry: z
    .object({ attempt: z.number(), maxAttempts: z.number(), reason: z.string(), nextTryAt: z.string() })
    .nullable(),
  parentScanId: z.uuid().nullable(),
  cancelRequestedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

const findingSchema = z.object({
  id: z.uuid(),
  kind: z.enum(FINDING_KINDS),
  name: z.string(),
  version: z.string().nullable(),
  category: z.string().nullable(),
  confidence: z.number().nullable(),
  severity: z.enum(FINDING_SEVERITIES).nullable(),
  evidenceIds: z.array(z.string()),
  details: z.unknown(),
});

const evidenceSchema = z.object({
  id: z.string(),
  kind: z.string(),
  collector: z.string(),
  url: z.string(),
  locator: z.string(),
  snippet: z.string(),
  contentHash: z.string(),
  observedAt: z.string(),
  confidence: z.number(),
});

const pageSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  finalUrl: z.string().nullable(),
  httpStatus: z.number().nullable(),
  bytes: z.number(),
  durationMs: z.number().nullable(),
  rendered: z.boolean(),
  error: z.string().nullable(),
  hasScreenshot: z.boolean(),
});

export const scanRouter = router({
  /** Validates the target, stores the scan and queues its first job, all in one transaction. */
  create: writeProcedure
    .input(createScanInput)
    .output(scanSchema)
    .mutation(async ({ ctx, input }) => {
      const scan = await createScan(ctx.tx, scanActorOf(ctx), input, ctx.env.TECHSCANIQ_SCANS_PER_HOUR);
      ctx.audit.target = `scan:${scan.id}`;
      return scan;
    }),

  get: tenantProcedure
    .input(scanRefInput)
    .output(scanSchema)
    .query(async ({ ctx, input }) => toScanView(await findScan(ctx.tx, scanActorOf(ctx), input.scanId))),

  list: tenantProcedure
    .input(listScansInput)
    .output(z.object({ items: z.array(scanSchema), nextCursor: z.string().nullable() }))
    .query(({ ctx, input }) => listScans(ctx.tx, scanActorOf(ctx), input)),

  cancel: writeProcedure
    .input(scanRefInput)
    .output(scanSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `scan:${input.scanId}`;
      return cancelScan(ctx.tx, scanActorOf(ctx), input.scanId);
    }),

  retry: writeProcedure
    .input(scanRefInput)
    .output(scanSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `scan:${input.scanId}`;
      return retryScan(ctx.tx, scanActorOf(ctx), input.scanId);
    }),

  rescan: writeProcedure
    .input(scanRefInput)
    .output(scanSchema)
    .mutation(async ({ ctx, input }) => {
      const scan = await rescan(ctx.tx, scanActorOf(ctx), input.scanId, ctx.env.TECHSCANIQ_SCANS_PER_HOUR);
      ctx.audit.target = `scan:${scan.id}`;
      return scan;
    }),

  /** Removes the scan, its pages, evidence, findings, checkpoints and stored objects. */
  delete: writeProcedure
    .input(scanRefInput)
    .output(z.object({ deleted: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `scan:${input.scanId}`;
      const { objectRefs } = await deleteScan(ctx.tx, scanActorOf(ctx), input.scanId);
      // Objects go after the rows: a failure here leaves orphan files, never rows pointing at nothing.
      await deleteScanObjects(ctx.storage, ctx.tenant.id, input.scanId, objectRefs);
      return { deleted: true as const };
    }),

  findings: tenantProcedure
    .input(listFindingsInput)
    .output(z.array(findingSchema))
    .query(({ ctx, input }) => listFindings(ctx.tx, scanActorOf(ctx), input)),

  pages: tenantProcedure
    .input(scanRefInput)
    .output(z.array(pageSchema))
    .query(({ ctx, input }) => listPages(ctx.tx, scanActorOf(ctx), input.scanId)),

  evidence: router({
    list: tenantProcedure
      .input(listEvidenceInput)
      .output(z.object({ items: z.array(evidenceSchema), nextCursor: z.string().nullable() }))
      .query(({ ctx, input }) => listEvidence(ctx.tx, scanActorOf(ctx), input)),
  }),

  /** A page's PNG screenshot, base64 — only for members of the scan's tenant. */
  screenshot: tenantProcedure
    .input(screenshotInput)
    .output(z.object({ contentType: z.string(), base64: z.string() }))
    .query(async ({ ctx, input }) => {
      const ref = await screenshotRef(ctx.tx, scanActorOf(ctx), input.scanId, input.pageId);
      const object = await ctx.storage.get(ref);
      if (!object)
        throw new DomainError("NOT_FOUND", `The screenshot of page ${input.pageId} is no longer stored`);
      return { contentType: object.contentType, base64: Buffer.from(object.body).toString("base64") };
    }),

  /**
   * Live scan events over SSE, in order. Each event is re-read through RLS
   * with the caller's claims; reconnecting clients resume after the last
   * event id they received (tracked ids → `lastEventId`). The credentials
   * are re-checked every `authRecheckMs`: a signed-out session, an expired
   * token or a revoked key ends the stream with UNAUTHORIZED.
   */
  progress: protectedProcedure.input(progressInput).subscription(async function* ({ ctx, input, signal }) {
    const tenantId = activeTenantId(ctx);
    const claims = ctx.subject.claims;
    await withRlsTx(
      ctx.db,
      claims,
      async (tx) => {
        if (!(await tenantRoleOf(tx, tenantId)))
          throw new DomainError(
            "FORBIDDEN",
            "You are not a member of this tenant (or your API key no longer works there)",
          );
        if (input.scanId) await findScan(tx, { tenantId, userId: ctx.subject.userId }, input.scanId);
      },
      { tenantId },
    );
    const afterId = input.lastEventId ?? (input.scanId ? "0" : await latestEventId(ctx.db, claims, tenantId));
    const stream = new AbortController();
    const endStream = () => stream.abort();
    signal?.addEventListener("abort", endStream, { once: true });
    let credentialsEnded = false;
    const recheck = setInterval(() => {
      // A failed check (database hiccup) is not a revocation; the next one decides.
      void ctx.reauthenticate().then(
        (subject) => {
          if (subject?.userId === ctx.subject.userId && subject.apiKeyId === ctx.subject.apiKeyId) return;
          credentialsEnded = true;
          stream.abort();
        },
        () => undefined,
      );
    }, ctx.authRecheckMs);
    try {
      const events = streamScanEvents({
        db: ctx.db,
        claims,
        tenantId,
        scanId: input.scanId ?? null,
        afterId,
        signal: stream.signal,
      });
      for await (const event of events) yield tracked(event.id, event);
    } finally {
      clearInterval(recheck);
      signal?.removeEventListener("abort", endStream);
      // Also after a normal end (terminal event): the event hub lets go of this subscriber on abort.
      stream.abort();
    }
    if (credentialsEnded)
      throw new DomainError("UNAUTHORIZED", "Your session has ended or your key was revoked; sign in again");
  }),
});
