import { sql, withServiceTx, type Db } from "@techscaniq/db";
import type { ObjectStorage } from "@techscaniq/db/storage";
import { SCAN_STAGE_PROGRESS, SCAN_STAGES } from "@techscaniq/contracts/scan";
import { ScanStagePayload, scanTaskName } from "@techscaniq/contracts/tasks";
import type { Evidence } from "@techscaniq/scanner";
import type { ScannerEnv } from "@techscaniq/scanner/env";
import type { JobHelpers } from "graphile-worker";
import { defineTask, type TaskDefinition } from "../define";
import {
  enqueueScanTask,
  scanEvent,
  upsertEvidence,
  upsertFindings,
  upsertPages,
  type FindingRecord,
  type PageRecord,
  type ScanRow,
  type ScanStage,
} from "./persist";

/** Stages a scan runs in order (contracts' stage table); each is a task (`scan.<stage>`) and checkpoint. */
export const PIPELINE = SCAN_STAGES satisfies readonly ScanStage[];
export type PipelineStage = (typeof PIPELINE)[number];

const CANCEL_POLL_MS = 1000;
const PROGRESS_EVENT_MS = 1000;
const TENANT_BUSY_RETRY_MS = 5000;
/**
 * Waits before the 2nd and 3rd try of a stage that failed for a reason that
 * may pass (timeout, HTTP 5xx). Scheduled by us rather than by
 * graphile-worker's backoff (8 tries over about an hour), so a broken site
 * fails within minutes and the scan can say when the next try starts.
 */
const RETRY_DELAYS_MS = [5_000, 30_000];
const MAX_TRIES = RETRY_DELAYS_MS.length + 1;
/** The retry columns of a scan that is not waiting to retry. */
const NO_RETRY = {
  retry_attempt: null,
  retry_max_attempts: null,
  retry_reason: null,
  retry_at: null,
} as const;

export const taskName = scanTaskName;

export interface ScanTarget {
  id: string;
  tenantId: string;
  targetUrl: string;
  options: { maxPages: number; renderCount: number; maxDepth: number };
}

export interface StageInput {
  scan: ScanTarget;
  /** Outputs of the stages already checkpointed, by stage. */
  previous: Partial<Record<PipelineStage, unknown>>;
  /** The operator's scan settings and browser (TECHSCANIQ_ALLOW_PRIVATE, render limits, Chromium). */
  scanner: ScannerEnv;
  /** Aborted when the scan is cancelled or the worker shuts down: stop, close the browser. */
  signal: AbortSignal;
  /** 0–1 within this stage. */
  onProgress: (fraction: number, message?: string) => void;
  storage: ObjectStorage;
}

export interface StageResult {
  /** Checkpointed as is: the next stages' input. Plain JSON. */
  output: unknown;
  evidence: readonly Evidence[];
  pages?: readonly PageRecord[];
  findings?: readonly FindingRecord[];
}

export type StageImplementations = Record<PipelineStage, (input: StageInput) => Promise<StageResult>>;

/** A failure no retry can fix (blocked address, invalid target): the scan fails at once with this message. */
export class PermanentScanError extends Error {
  override name = "PermanentScanError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ScanPipelineSettings {
  db: Db;
  storage: ObjectStorage;
  stages: StageImplementations;
  scanner: ScannerEnv;
  /** Scans of one tenant running at once; more wait in the queue. */
  tenantConcurrency: number;
  /** From a scan's start: after this no failed stage is tried again (SCAN_DEADLINE_SECONDS). */
  deadlineMs: number;
}

async function loadScan(db: Db, scanId: string): Promise<ScanRow | undefined> {
  return db.kysely.selectFrom("scans").selectAll().where("id", "=", scanId).executeTakeFirst();
}

async function checkpoints(db: Db, scanId: string): Promise<Map<PipelineStage, unknown>> {
  const rows = await db.kysely
    .selectFrom("scan_stage_results")
    .select(["stage", "output"])
    .where("scan_id", "=", scanId)
    .execute();
  return new Map(rows.map((row) => [row.stage as PipelineStage, row.output]));
}

type Tx = Parameters<Parameters<typeof withServiceTx>[1]>[0];

/** Ends the scan (only if it is still unfinished) and writes its event, in the caller's transaction. */
async function finishIn(
  tx: Tx,
  scanId: string,
  status: "succeeded" | "failed" | "cancelled",
  error: { code: string; message: string } | null,
): Promise<void> {
  const ended = await tx
    .updateTable("scans")
    .set({
      status,
      finished_at: new Date(),
      error_code: error?.code ?? null,
      error_message: error ? error.message.slice(0, 2000) : null,
      ...NO_RETRY,
      ...(status === "succeeded" ? { progress: 100 } : {}),
    })
    .where("id", "=", scanId)
    .where("status", "in", ["queued", "running"])
    .returningAll()
    .executeTakeFirst();
  if (!ended) return;
  const type = { succeeded: "scan.completed", failed: "scan.failed", cancelled: "scan.cancelled" }[status];
  // scan.completed hands the scan over to the report pipeline, which listens for it.
  await scanEvent(tx, ended, type, error ? { error } : {});
}

function finish(
  db: Db,
  scanId: string,
  status: "succeeded" | "failed" | "cancelled",
  error: { code: string; message: string } | null,
) {
  return withServiceTx(db, (tx) => finishIn(tx, scanId, status, error));
}

/**
 * queued → running, unless the tenant already runs its limit of scans: then
 * the job comes back later. The tenant lock makes two workers count in turn.
 */
async function claim(db: Db, scan: ScanRow, limit: number): Promise<ScanRow | null> {
  return withServiceTx(db, async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext('techscaniq:scan-tenant:' || ${scan.tenant_id}))`.execute(
      tx,
    );
    const { running } = await tx
      .selectFrom("scans")
      .select((eb) => eb.fn.countAll<string>().as("running"))
      .where("tenant_id", "=", scan.tenant_id)
      .where("status", "=", "running")
      .executeTakeFirstOrThrow();
    if (Number(running) >= limit) return null;
    const claimed = await tx
      .updateTable("scans")
      .set({ status: "running", started_at: sql`coalesce(started_at, now())`, ...NO_RETRY })
      .where("id", "=", scan.id)
      .where("status", "=", "queued")
      .returningAll()
      .executeTakeFirst();
    if (claimed) await scanEvent(tx, claimed, "scan.started");
    return claimed ?? null;
  });
}

/**
 * After a transient failure: the stage's next try under the scan's job key,
 * recorded on the scan and announced as scan.retrying; or, with no tries or
 * time left, the scan fails naming the cause.
 */
async function retryOrFail(
  settings: ScanPipelineSettings,
  scan: ScanRow,
  stage: PipelineStage,
  cause: string,
): Promise<void> {
  const failedTry = scan.retry_attempt ?? 1;
  const delayMs = RETRY_DELAYS_MS[failedTry - 1];
  if (delayMs === undefined) {
    const message = `${stage} failed ${failedTry} times, giving up: ${cause}`;
    return finish(settings.db, scan.id, "failed", { code: "stage_failed", message });
  }
  const nextTryAt = new Date(Date.now() + delayMs);
  const deadline = (scan.started_at ?? scan.created_at).getTime() + settings.deadlineMs;
  if (nextTryAt.getTime() > deadline) {
    const { deadlineMs } = settings;
    const deadlineText = deadlineMs % 60_000 === 0 ? `${deadlineMs / 60_000} min` : `${deadlineMs / 1000} s`;
    const message = `${stage} failed and the scan deadline of ${deadlineText} leaves no time for another try: ${cause}`;
    return finish(settings.db, scan.id, "failed", { code: "deadline_exceeded", message });
  }
  await withServiceTx(settings.db, async (tx) => {
    const waiting = await tx
      .updateTable("scans")
      .set({
        retry_attempt: failedTry + 1,
        retry_max_attempts: MAX_TRIES,
        retry_reason: cause.slice(0, 2000),
        retry_at: nextTryAt,
      })
      .where("id", "=", scan.id)
      .where("status", "=", "running")
      .returningAll()
      .executeTakeFirst();
    if (!waiting) return;
    await scanEvent(tx, waiting, "scan.retrying", {
      error: cause,
      attempt: failedTry + 1,
      maxAttempts: MAX_TRIES,
      nextTryAt: nextTryAt.toISOString(),
    });
    await enqueueScanTask(tx, scan.id, taskName(stage), nextTryAt);
  });
}

/**
 * Whether this job may work on the scan: a deleted or finished scan is left
 * alone, a cancelled one ends here, a queued one is claimed, or waits when
 * its tenant already runs its limit of scans.
 */
async function admitScan(
  settings: ScanPipelineSettings,
  stage: PipelineStage,
  scanId: string,
  helpers: JobHelpers,
): Promise<boolean> {
  const { db } = settings;
  const found = await loadScan(db, scanId);
  // Deleted, or already finished (a duplicate or late job): nothing to do.
  if (!found || (found.status !== "queued" && found.status !== "running")) return false;
  if (found.cancel_requested_at) {
    await finish(db, scanId, "cancelled", null);
    return false;
  }
  if (found.status === "running" || (await claim(db, found, settings.tenantConcurrency))) return true;
  helpers.logger.info(
    `tenant ${found.tenant_id} runs its limit of ${settings.tenantConcurrency} scans; scan ${scanId} waits`,
  );
  await withServiceTx(db, (tx) =>
    enqueueScanTask(tx, scanId, taskName(stage), new Date(Date.now() + TENANT_BUSY_RETRY_MS)),
  );
  return false;
}

/**
 * The scan's checkpoints when `stage` is the next one to run; otherwise null,
 * and the scan succeeds (every stage done) or goes on at its next stage.
 */
async function checkpointsIfDue(
  db: Db,
  stage: PipelineStage,
  scanId: string,
  helpers: JobHelpers,
): Promise<Map<PipelineStage, unknown> | null> {
  const done = await checkpoints(db, scanId);
  const next = PIPELINE.find((candidate) => !done.has(candidate));
  if (next === undefined) {
    await finish(db, scanId, "succeeded", null);
    return null;
  }
  if (next === stage) return done;
  // A retry (always queued as the first stage) or a stale job: continue where the checkpoints end.
  const hasLiveJob = await db.kysely
    .selectFrom(sql`graphile_worker.jobs`.as("jobs"))
    .select(sql`1`.as("one"))
    .where(sql.ref("jobs.key"), "=", `scan:${scanId}`)
    .where(sql.ref("jobs.id"), "<>", helpers.job.id)
    .executeTakeFirst();
  if (!hasLiveJob) await withServiceTx(db, (tx) => enqueueScanTask(tx, scanId, taskName(next)));
  return null;
}

/** Records the stage as the scan's current one and counts the attempt (scan.stage_started). */
async function markStageStarted(db: Db, stage: PipelineStage, scanId: string): Promise<ScanRow> {
  return withServiceTx(db, async (tx) => {
    const started = await tx
      .updateTable("scans")
      .set((eb) => ({ stage, attempts: eb("attempts", "+", 1) }))
      .where("id", "=", scanId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await scanEvent(tx, started, "scan.stage_started", { attempt: started.retry_attempt ?? 1 });
    return started;
  });
}

/** Aborts the running stage when the scan is cancelled (polled) or the worker shuts down. */
function watchForCancel(db: Db, scanId: string, helpers: JobHelpers) {
  const controller = new AbortController();
  let cancelled = false;
  const onShutdown = () => controller.abort(new Error("worker is shutting down"));
  helpers.abortSignal?.addEventListener("abort", onShutdown, { once: true });
  const poll = setInterval(() => {
    loadScan(db, scanId).then(
      (current) => {
        if (!current || current.cancel_requested_at) {
          cancelled = true;
          controller.abort(new Error("scan cancelled"));
        }
      },
      () => undefined,
    );
  }, CANCEL_POLL_MS);
  return {
    signal: controller.signal,
    cancelled: () => cancelled,
    stop: () => {
      clearInterval(poll);
      helpers.abortSignal?.removeEventListener("abort", onShutdown);
    },
  };
}

/**
 * The stage's progress (0–1) as the scan's, within the stage's span of the
 * bar: at most one write and scan.progress event a second, written in order.
 */
function progressReporter(db: Db, stage: PipelineStage, scanId: string, helpers: JobHelpers) {
  const { from, to } = SCAN_STAGE_PROGRESS[stage];
  let lastProgressAt = 0;
  let writes: Promise<void> = Promise.resolve();
  const report = (fraction: number, message?: string) => {
    const now = Date.now();
    if (now - lastProgressAt < PROGRESS_EVENT_MS) return;
    lastProgressAt = now;
    const progress = Math.min(99, Math.round(from + (to - from) * Math.max(0, Math.min(1, fraction))));
    writes = writes.then(() =>
      withServiceTx(db, async (tx) => {
        const updated = await tx
          .updateTable("scans")
          .set({ progress })
          .where("id", "=", scanId)
          .where("status", "=", "running")
          .returningAll()
          .executeTakeFirst();
        if (updated) await scanEvent(tx, updated, "scan.progress", message ? { message } : {});
      }).catch((error: unknown) => helpers.logger.error(`progress write failed: ${String(error)}`)),
    );
  };
  return { report, written: () => writes };
}

/**
 * Runs the stage's implementation, cancellable and reporting progress: its
 * result, or undefined when it failed (the scan is then cancelled, failed or
 * retried; a worker shutting down rethrows).
 */
async function executeStage(
  settings: ScanPipelineSettings,
  stage: PipelineStage,
  scan: ScanRow,
  done: Map<PipelineStage, unknown>,
  helpers: JobHelpers,
): Promise<StageResult | undefined> {
  const watch = watchForCancel(settings.db, scan.id, helpers);
  const progress = progressReporter(settings.db, stage, scan.id, helpers);
  let result: StageResult;
  try {
    result = await settings.stages[stage]({
      scan: {
        id: scan.id,
        tenantId: scan.tenant_id,
        targetUrl: scan.target_url,
        options: scan.options as ScanTarget["options"],
      },
      previous: Object.fromEntries(done),
      scanner: settings.scanner,
      signal: watch.signal,
      onProgress: progress.report,
      storage: settings.storage,
    });
    // A stage that noticed the abort late still returns; a cancelled scan keeps what was already stored.
    if (watch.cancelled()) throw watch.signal.reason;
  } catch (error) {
    watch.stop();
    await progress.written();
    await settleFailedStage(settings, scan, stage, error, watch.cancelled(), helpers);
    return undefined;
  } finally {
    watch.stop();
  }
  await progress.written();
  return result;
}

/** A failed stage's outcome: the scan cancelled, failed for good, handed back (shutdown) or retried. */
async function settleFailedStage(
  settings: ScanPipelineSettings,
  scan: ScanRow,
  stage: PipelineStage,
  error: unknown,
  cancelled: boolean,
  helpers: JobHelpers,
): Promise<void> {
  if (cancelled) return finish(settings.db, scan.id, "cancelled", null);
  if (error instanceof PermanentScanError)
    return finish(settings.db, scan.id, "failed", { code: error.code, message: error.message });
  // A worker shutting down is not the site's fault: graphile-worker hands the job on as it is.
  if (helpers.abortSignal?.aborted) throw error;
  return retryOrFail(settings, scan, stage, error instanceof Error ? error.message : String(error));
}

/**
 * Stores what the stage found and its checkpoint, moves the bar to the
 * stage's end, then queues the next stage, or ends the scan (succeeded, or
 * cancelled when a cancel arrived while the stage ran).
 */
async function checkpointStage(
  db: Db,
  stage: PipelineStage,
  scanId: string,
  result: StageResult,
  durationMs: number,
): Promise<void> {
  const nextStage = PIPELINE[PIPELINE.indexOf(stage) + 1];
  await withServiceTx(db, async (tx) => {
    const current = await tx
      .selectFrom("scans")
      .selectAll()
      .where("id", "=", scanId)
      .forUpdate()
      .executeTakeFirst();
    if (!current || current.status !== "running") return;
    await upsertEvidence(tx, current, result.evidence);
    await upsertPages(tx, current, result.pages ?? []);
    await upsertFindings(tx, current, result.findings ?? []);
    await tx
      .insertInto("scan_stage_results")
      .values({
        scan_id: scanId,
        tenant_id: current.tenant_id,
        stage,
        output: JSON.stringify(result.output),
        duration_ms: durationMs,
      })
      .onConflict((conflict) => conflict.columns(["scan_id", "stage"]).doNothing())
      .execute();
    const progressed = await tx
      .updateTable("scans")
      .set({ progress: SCAN_STAGE_PROGRESS[stage].to, ...NO_RETRY })
      .where("id", "=", scanId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await scanEvent(tx, progressed, "scan.stage_completed", { durationMs, evidence: result.evidence.length });
    // A cancel that arrived while the stage ran takes effect here, at the boundary, keeping what it found.
    if (current.cancel_requested_at) await finishIn(tx, scanId, "cancelled", null);
    else if (nextStage) await enqueueScanTask(tx, scanId, taskName(nextStage));
    else await finishIn(tx, scanId, "succeeded", null);
  });
}

/** One job of stage `stage`: admit the scan, check it is this stage's turn, run it, checkpoint it. */
async function runStage(
  settings: ScanPipelineSettings,
  stage: PipelineStage,
  scanId: string,
  helpers: JobHelpers,
): Promise<void> {
  if (!(await admitScan(settings, stage, scanId, helpers))) return;
  const done = await checkpointsIfDue(settings.db, stage, scanId, helpers);
  if (!done) return;
  const scan = await markStageStarted(settings.db, stage, scanId);
  const startedAt = performance.now();
  const result = await executeStage(settings, stage, scan, done, helpers);
  if (!result) return;
  await checkpointStage(settings.db, stage, scanId, result, Math.round(performance.now() - startedAt));
}

/** One task per pipeline stage, each parsing `{ scanId }` first and safe to run twice. */
export function scanPipelineTasks(settings: ScanPipelineSettings): TaskDefinition[] {
  return PIPELINE.map((stage) =>
    defineTask({
      name: taskName(stage),
      payload: ScanStagePayload,
      handler: ({ scanId }, { helpers }) => runStage(settings, stage, scanId, helpers),
    }),
  );
}
