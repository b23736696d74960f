import { defaultAiConfig, operatorAiPolicy } from "@techscaniq/ai";
import { REPORT_GENERATE_TASK, ReportGeneratePayload } from "@techscaniq/contracts/tasks";
import type { Db } from "@techscaniq/db";
import { loadSecretBox } from "@techscaniq/db/secrets";
import type { ObjectStorage } from "@techscaniq/db/storage";
import type { WorkerEnv } from "../../env";
import type { Logger } from "../../logger";
import { defineTask, isLastAttempt, type TaskDefinition } from "../define";
import { markReportFailed, produceReportVersion, type ReportTaskSettings } from "./generate";
import { providerFetchFor } from "./provider-fetch";
import { tenantAiLoader } from "./tenant-ai";

export { providerFetchFor } from "./provider-fetch";
export { tenantAiLoader, type TenantAiLoader } from "./tenant-ai";
export {
  closeReportCheckpointers,
  produceReportVersion,
  markReportFailed,
  type ReportOutcome,
  type ReportRequest,
  type ReportTaskSettings,
} from "./generate";

/** `report.generate` ({ scanId, reportId? }), queued by private.queue_report under job key report:<scan id>. */
export function reportGenerateTask(
  settings: ReportTaskSettings,
): TaskDefinition<typeof ReportGeneratePayload> {
  return defineTask({
    name: REPORT_GENERATE_TASK,
    payload: ReportGeneratePayload,
    handler: async (payload, { helpers }) => {
      try {
        const outcome = await produceReportVersion(settings, payload, helpers.abortSignal);
        helpers.logger.info(
          `report.generate for scan ${payload.scanId}: ${outcome.kind}${"version" in outcome ? ` v${outcome.version}` : ""}`,
        );
      } catch (error) {
        // Earlier attempts are retried with backoff (resuming from the checkpoint); the last one marks the report failed.
        if (isLastAttempt(helpers))
          await markReportFailed(
            settings.db,
            payload.scanId,
            error instanceof Error ? error.message : String(error),
          );
        throw error;
      }
    },
  });
}

/** The AI providers tasks run with, from the environment: the offline analyst unless AI keys are set. */
export function aiSettingsFromEnv(
  db: Db,
  env: WorkerEnv,
): Pick<ReportTaskSettings, "aiConfig" | "tenantAi" | "providerFetch"> {
  const aiEnv = env.ai;
  const aiConfig = defaultAiConfig(aiEnv);
  const secretBox = once(() => loadSecretBox(env.db));
  const defaultModels = {
    openai: aiEnv.TECHSCANIQ_OPENAI_MODEL,
    anthropic: aiEnv.TECHSCANIQ_ANTHROPIC_MODEL,
    local: aiEnv.TECHSCANIQ_LOCAL_LLM_MODEL,
  };
  const tenantAi = tenantAiLoader({
    db,
    base: aiConfig,
    secretBox,
    defaultModels,
    policy: operatorAiPolicy(aiEnv),
  });
  // Tenant-chosen provider URLs follow the same private-address switch as scans.
  const providerFetch = providerFetchFor(env.scanner.scanOptions.allowPrivate);
  return { aiConfig, tenantAi, providerFetch };
}

/** The report.* tasks, configured from the environment. */
export function reportTasks({
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
  const ai = aiSettingsFromEnv(db, env);
  logger.info(
    `reports are written by: ${ai.aiConfig.routes.writeSection?.map((step) => step.provider).join(" → ") ?? "offline"}`,
  );
  return [
    reportGenerateTask({
      db,
      storage,
      connectionString: env.DATABASE_URL,
      chromiumPath: env.scanner.browser.executablePath,
      ...ai,
    }),
  ];
}

/** The first call's promise for every call; a failed load is retried by the next call. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
