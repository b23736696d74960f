import { loadWorkerEnv, type WorkerEnv } from "./env";
import { createLogger } from "./logger";
import { startWorker } from "./worker";

let env: WorkerEnv;
try {
  env = loadWorkerEnv();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
const logger = createLogger(env.LOG_LEVEL, env.WORKER_ID);

try {
  const worker = await startWorker(env, { logger });
  const shutDown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, "shutting down: no new jobs, finishing running ones");
    worker.stop().then(
      () => {
        logger.info("worker stopped");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "worker did not stop cleanly");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", shutDown);
  process.on("SIGINT", shutDown);
  // If graphile-worker stops by itself (e.g. lost database), stop the rest and exit non-zero so a supervisor restarts us.
  worker.runner.promise.catch((error: unknown) => {
    logger.error({ err: error }, "job runner stopped unexpectedly");
    void worker.stop().finally(() => process.exit(1));
  });
} catch (error) {
  logger.fatal({ err: error }, "worker failed to start");
  process.exit(1);
}
