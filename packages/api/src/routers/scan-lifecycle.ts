import {
  createScanInput,
  deletedScanSchema,
  listScansInput,
  scanPageSchema,
  scanRefInput,
  scanViewSchema,
} from "../domain/scans/scans.schemas";
import {
  cancelScan,
  createScan,
  deleteScan,
  deleteScanObjects,
  findScan,
  listScans,
  rescan,
  retryScan,
  scanActorOf,
  toScanView,
} from "../domain/scans/service";
import { requireRole, router, tenantProcedure } from "../trpc";

const writeProcedure = tenantProcedure.use(requireRole("member"));

/** A scan's life: create, read, list, cancel, retry, re-scan and delete (merged into `scan`). */
export const scanLifecycleRouter = router({
  /** Validates the target, stores the scan and queues its first job, all in one transaction. */
  create: writeProcedure
    .input(createScanInput)
    .output(scanViewSchema)
    .mutation(async ({ ctx, input }) => {
      const scan = await createScan(ctx.tx, scanActorOf(ctx), input, ctx.env.TECHSCANIQ_SCANS_PER_HOUR);
      ctx.audit.target = `scan:${scan.id}`;
      return scan;
    }),

  get: tenantProcedure
    .input(scanRefInput)
    .output(scanViewSchema)
    .query(async ({ ctx, input }) => toScanView(await findScan(ctx.tx, scanActorOf(ctx), input.scanId))),

  list: tenantProcedure
    .input(listScansInput)
    .output(scanPageSchema)
    .query(({ ctx, input }) => listScans(ctx.tx, scanActorOf(ctx), input)),

  cancel: writeProcedure
    .input(scanRefInput)
    .output(scanViewSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `scan:${input.scanId}`;
      return cancelScan(ctx.tx, scanActorOf(ctx), input.scanId);
    }),

  retry: writeProcedure
    .input(scanRefInput)
    .output(scanViewSchema)
    .mutation(({ ctx, input }) => {
      ctx.audit.target = `scan:${input.scanId}`;
      return retryScan(ctx.tx, scanActorOf(ctx), input.scanId);
    }),

  rescan: writeProcedure
    .input(scanRefInput)
    .output(scanViewSchema)
    .mutation(async ({ ctx, input }) => {
      const scan = await rescan(ctx.tx, scanActorOf(ctx), input.scanId, ctx.env.TECHSCANIQ_SCANS_PER_HOUR);
      ctx.audit.target = `scan:${scan.id}`;
      return scan;
    }),

  /** Removes the scan, its pages, evidence, findings, checkpoints and stored objects. */
  delete: writeProcedure
    .input(scanRefInput)
    .output(deletedScanSchema)
    .mutation(async ({ ctx, input }) => {
      ctx.audit.target = `scan:${input.scanId}`;
      const { objectRefs } = await deleteScan(ctx.tx, scanActorOf(ctx), input.scanId);
      // Objects go after the rows: a failure here leaves orphan files, never rows pointing at nothing.
      await deleteScanObjects(ctx.storage, ctx.tenant.id, input.scanId, objectRefs);
      return { deleted: true as const };
    }),
});
