import { createDb, JOB_QUEUE_SCHEMA } from "@techscaniq/db";
import { parseCronItems, run, type Runner } from "graphile-worker";
import type { WorkerEnv } from "./env";
import { startHealthServer } from "./health";
import { startHeartbeat } from "./heartbeat";
import { toGraphileLogger, type Logger } from "./logger";
import { startWorkerRecovery } from "./recovery/index";
import { buildTaskList, cronItems, defineTasks } from "./tasks/index";
import { queueRunsWithoutJob } from "./tasks/agent/store";
import { closeReportCheckpointers } from "./tasks/report/index";
import type { TaskDefinition } from "./tasks/define";

export interface RunningWorker {
  runner: Runner;
  healthPort: number;
  /** Stop taking jobs, let running ones finish (or release them), then close everything. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartWorkerOptions {
  logger: Logger;
  /** Extra task definitions next to the product's own (tests use this for probe tasks). */
  extraTasks?: readonly TaskDefinition[];
}

export async function startWorker(
  env: WorkerEnv,
  { logger, extraTasks = [] }: StartWorkerOptions,
): Promise<RunningWorker> {
  // Task code, heartbeat and health share this pool; graphile-worker keeps its own for locking and LISTEN.
  const db = createDb(env.DATABASE_URL, { max: env.WORKER_CONCURRENCY + 2 });
  let ready = false;
  const cleanups: Array<() => Promise<void>> = [() => db.close()];
  const closeAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => logger.error({ err: error }, "error while shutting down"));
    }
  };

  try {
    const heartbeat = await startHeartbeat({
      db,
      workerId: env.WORKER_ID,
      logger,
      info: { concurrency: env.WORKER_CONCURRENCY, node: process.version },
    });
    cleanups.push(() => heartbeat.stop());

    const health = await startHealthServer({
      db,
      workerId: env.WORKER_ID,
      host: env.WORKER_HEALTH_HOST,
      port: env.WORKER_HEALTH_PORT,
      logger,
      isReady: () => ready,
    });
    cleanups.push(() => health.close());

    // Releases jobs of workers that died mid-job (heartbeat stale), so their scans resume within 30 s.
    const recovery = startWorkerRecovery({ db, workerId: env.WORKER_ID, logger });
    cleanups.push(() => recovery.stop());
    // Report graphs keep a checkpointer pool per process; closed once the runner has stopped.
    cleanups.push(() => closeReportCheckpointers());

    const runner = await run({
      connectionString: env.DATABASE_URL,
      schema: JOB_QUEUE_SCHEMA,
      concurrency: env.WORKER_CONCURRENCY,
      // graphile-worker needs a pool client per running job plus one for LISTEN and one for housekeeping.
      maxPoolSize: env.WORKER_CONCURRENCY + 2,
      // main.ts owns the signals so the heartbeat row and health server close in order.
      noHandleSignals: true,
      logger: toGraphileLogger(logger),
      taskList: buildTaskList([...defineTasks({ db, env, logger }), ...extraTasks]),
      events: recovery.events,
      parsedCronItems: parseCronItems(cronItems),
    });
    cleanups.push(() => runner.stop());
    // run() has installed the job queue's schema: runs queued before it existed get their jobs now.
    const backlog = await queueRunsWithoutJob(db);
    if (backlog.length > 0)
      logger.info({ runs: backlog }, `queued ${backlog.length} agent run(s) that had no job`);
    ready = true;
    logger.info({ concurrency: env.WORKER_CONCURRENCY, healthPort: health.port }, "worker started");

    let stopping: Promise<void> | undefined;
    return {
      runner,
      healthPort: health.port,
      stop: () => {
        ready = false;
        stopping ??= closeAll();
        return stopping;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
