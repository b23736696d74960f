import type { Db } from "@techscaniq/db";
import type { ObjectStorage } from "@techscaniq/db/storage";
import { browserSandbox } from "@techscaniq/scanner";
import type { WorkerEnv } from "../../env";
import type { Logger } from "../../logger";
import type { TaskDefinition } from "../define";
import { scanPipelineTasks } from "./pipeline";
import { scannerStages } from "./stages";

export {
  PIPELINE,
  PermanentScanError,
  scanPipelineTasks,
  taskName,
  type PipelineStage,
  type StageImplementations,
} from "./pipeline";

/** The scan.* tasks, configured from the environment. */
export function scanTasks({
  db,
  env,
  logger,
  storage,
}: {
  db: Db;
  env: WorkerEnv;
  logger: Logger;
  storage: ObjectStorage;
}): TaskDefinition[] {
  if (env.scanner.scanOptions.allowPrivate) {
    logger.warn(
      "TECHSCANIQ_ALLOW_PRIVATE=1: scans may reach private, loopback and internal addresses. Only for private-network deployments and tests — never on a shared or public worker.",
    );
  }
  void browserSandbox(env.scanner.browser.user).then(({ warning }) => {
    if (warning)
      logger.warn(`${warning}: rendered pages are less confined than they should be (see README).`);
  });
  return scanPipelineTasks({
    db,
    storage,
    stages: scannerStages,
    scanner: env.scanner,
    tenantConcurrency: env.SCAN_TENANT_CONCURRENCY,
    deadlineMs: env.SCAN_DEADLINE_SECONDS * 1000,
  });
}
