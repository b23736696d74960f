import { withRlsTx, type Transaction, type Database } from "@techscaniq/db";
import type { AuthSubject } from "../auth/authenticate";
import { tenantRoleOf } from "../domain/roles";
import { latestEventId, streamEvents, type EventFamily, type StreamedEvent } from "../domain/scans/events";
import type { ScanActor } from "../domain/scans/service";
import { DomainError } from "../errors";
import { activeTenantId, type Context } from "../trpc";

/**
 * The body of a progress subscription (scans, agent runs): live events of one
 * family, in order (the router yields them `tracked` for SSE). The caller must be a member of the tenant and
 * `check` must find the subject (NOT_FOUND in another tenant). Each event is
 * re-read through RLS with the caller's claims; reconnecting clients resume
 * after the last event id they received (tracked ids → `lastEventId`). The
 * credentials are re-checked every `authRecheckMs`: a signed-out session, an
 * expired token or a revoked key ends the stream with UNAUTHORIZED.
 */
export async function* progressStream(
  ctx: Context & { subject: AuthSubject },
  signal: AbortSignal | undefined,
  options: {
    family: EventFamily;
    /** One subject's events (ending at its terminal event); the whole tenant's when null. */
    subject: string | null;
    lastEventId: string | null | undefined;
    /** Throws NOT_FOUND when the subject is not the caller's to watch. */
    check?: (tx: Transaction<Database>, actor: ScanActor) => Promise<unknown>;
  },
): AsyncGenerator<StreamedEvent> {
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
      await options.check?.(tx, { tenantId, userId: ctx.subject.userId });
    },
    { tenantId },
  );
  const afterId =
    options.lastEventId ?? (options.subject ? "0" : await latestEventId(ctx.db, claims, tenantId));
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
    const events = streamEvents({
      db: ctx.db,
      claims,
      tenantId,
      family: options.family,
      subject: options.subject,
      afterId,
      signal: stream.signal,
    });
    yield* events;
  } finally {
    clearInterval(recheck);
    signal?.removeEventListener("abort", endStream);
    // Also after a normal end (terminal event): the event hub lets go of this subscriber on abort.
    stream.abort();
  }
  if (credentialsEnded)
    throw new DomainError("UNAUTHORIZED", "Your session has ended or your key was revoked; sign in again");
}
