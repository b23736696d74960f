import { withRlsTx } from "@techscaniq/db";
import { tracked } from "@trpc/server";
import { latestEventId, streamScanEvents } from "../domain/scans/events";
import { progressInput } from "../domain/scans/scans.schemas";
import { findScan } from "../domain/scans/service";
import { tenantRoleOf } from "../domain/roles";
import { DomainError } from "../errors";
import { activeTenantId, protectedProcedure, router } from "../trpc";

/** A scan's live progress (merged into `scan`). */
export const scanProgressRouter = router({
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
