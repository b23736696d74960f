import { tracked } from "@trpc/server";
import { SCAN_EVENTS } from "../domain/scans/events";
import { progressInput } from "../domain/scans/scans.schemas";
import { findScan } from "../domain/scans/service";
import { protectedProcedure, router } from "../trpc";
import { progressStream } from "./progress";

/** A scan's live progress (merged into `scan`). */
export const scanProgressRouter = router({
  /** Live scan events over SSE, of one scan or the whole tenant (see progressStream). */
  progress: protectedProcedure.input(progressInput).subscription(async function* ({ ctx, input, signal }) {
    const { scanId } = input;
    for await (const event of progressStream(ctx, signal, {
      family: SCAN_EVENTS,
      subject: scanId ?? null,
      lastEventId: input.lastEventId,
      ...(scanId ? { check: (tx, actor) => findScan(tx, actor, scanId) } : {}),
    })) {
      const { subject, ...rest } = event;
      yield tracked(event.id, { ...rest, scanId: subject });
    }
  }),
});
