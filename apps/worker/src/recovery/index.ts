import { EventEmitter } from "node:events";
import { sql, withServiceTx, type Db } from "@techscaniq/db";
import type { WorkerEvents } from "graphile-worker";
import type { Logger } from "../logger";

/** A worker whose heartbeat (every 10 s) is older than this is taken for dead. */
export const STALE_AFTER_MS = 20_000;
/** How often live workers look for dead ones' jobs. */
export const SWEEP_INTERVAL_MS = 5_000;

export interface WorkerRecovery {
  /** Pass to graphile-worker's `run({ events })`: runner ids are recorded as they start. */
  events: WorkerEvents;
  /** Releases jobs of dead workers now; returns the runner ids unlocked. */
  sweep(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface WorkerRecoveryOptions {
  db: Db;
  /** This process's id in worker_heartbeats (its row must exist: start the heartbeat first). */
  workerId: string;
  logger: Logger;
  staleAfterMs?: number;
  intervalMs?: number;
}

/**
 * graphile-worker keeps a crashed worker's jobs locked for 4 hours. Every
 * worker records its runner ids next to its heartbeat; on start-up and every
 * few seconds it calls `force_unlock_workers` for runners whose process has
 * a stale heartbeat (or none, once the lock itself is stale), so a killed
 * worker's scan resumes from its last checkpoint within 30 s.
 */
export function startWorkerRecovery({
  db,
  workerId,
  logger,
  staleAfterMs = STALE_AFTER_MS,
  intervalMs = SWEEP_INTERVAL_MS,
}: WorkerRecoveryOptions): WorkerRecovery {
  const events: WorkerEvents = new EventEmitter();
  const pending = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  events.on("worker:create", ({ worker }) => {
    track(
      withServiceTx(db, (tx) =>
        tx
          .insertInto("worker_job_runners")
          .values({ runner_id: worker.workerId, worker_id: workerId })
          .onConflict((conflict) => conflict.column("runner_id").doNothing())
          .execute(),
      ).catch((error: unknown) => logger.error({ err: error }, "could not record the job runner id")),
    );
  });

  const staleSeconds = staleAfterMs / 1000;
  const sweep = async (): Promise<string[]> => {
    const { rows } = await sql<{ runner_id: string }>`
      with locks as (
        select locked_by, locked_at from graphile_worker._private_jobs where locked_by is not null
        union all
        select locked_by, locked_at from graphile_worker._private_job_queues where locked_by is not null
      )
      select distinct l.locked_by as runner_id
        from locks l
        left join public.worker_job_runners r on r.runner_id = l.locked_by
        left join public.worker_heartbeats h on h.worker_id = r.worker_id
       where (h.worker_id is null and l.locked_at < now() - make_interval(secs => ${staleSeconds}))
          or h.last_seen_at < now() - make_interval(secs => ${staleSeconds})`.execute(db.kysely);
    const dead = rows.map((row) => row.runner_id);
    if (dead.length === 0) return dead;
    await sql`select graphile_worker.force_unlock_workers(${dead}::text[])`.execute(db.kysely);
    await withServiceTx(db, (tx) =>
      tx.deleteFrom("worker_job_runners").where("runner_id", "in", dead).execute(),
    );
    logger.warn(
      { runners: dead },
      `released jobs of ${dead.length} job runner(s) whose worker stopped beating`,
    );
    return dead;
  };

  let sweeping: Promise<unknown> = Promise.resolve();
  const runSweep = () => {
    sweeping = sweep().catch((error: unknown) => logger.error({ err: error }, "recovery sweep failed"));
    track(sweeping);
  };
  runSweep();
  const timer = setInterval(runSweep, intervalMs);

  return {
    events,
    sweep,
    stop: async () => {
      clearInterval(timer);
      await Promise.allSettled([...pending]);
    },
  };
}
