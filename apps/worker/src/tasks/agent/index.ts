import { AGENT_RUN_TASK, AgentRunPayload } from "@techscaniq/contracts/tasks";
import type { Db } from "@techscaniq/db";
import type { ObjectStorage } from "@techscaniq/db/storage";
import type { WorkerEnv } from "../../env";
import { defineTask, isLastAttempt, type TaskDefinition } from "../define";
import { aiSettingsFromEnv } from "../report/index";
import { designImageTask } from "./design-image";
import { scheduleTickTask } from "./schedule-tick";
import { executeAgentRun, failAgentRun, RunBusy, type AgentRunSettings } from "./run";

/**
 * `agent.run` ({ runId }), queued by private.enqueue_agent_run_job under job key agent_run:<id>: runs
 * the run, or resumes it after a restart or an approval. Transient failures are retried by
 * graphile-worker (the run continues from its steps and checkpoint); the last attempt ends it failed.
 */
export function agentRunTask(settings: AgentRunSettings): TaskDefinition<typeof AgentRunPayload> {
  return defineTask({
    name: AGENT_RUN_TASK,
    payload: AgentRunPayload,
    handler: async (payload, { helpers }) => {
      try {
        const status = await executeAgentRun(settings, payload.runId, {
          signal: helpers.abortSignal,
          requeue: async (runAt) => {
            await helpers.addJob(AGENT_RUN_TASK, payload, {
              jobKey: `agent_run:${payload.runId}`,
              jobKeyMode: "replace",
              runAt,
              maxAttempts: 5,
            });
          },
        });
        helpers.logger.info(`agent.run ${payload.runId}: ${status}`);
      } catch (error) {
        if (isLastAttempt(helpers) && !(error instanceof RunBusy))
          await failAgentRun(
            settings.db,
            payload.runId,
            error instanceof Error ? error.message : String(error),
          );
        throw error;
      }
    },
  });
}

/**
 * The agent.* tasks (the schedules' tick; tools wait for scans and reports as long as a scan may take,
 * plus a margin) and the design wizard's diagram analysis.
 */
export function agentTasks({
  db,
  env,
  storage,
}: {
  db: Db;
  env: WorkerEnv;
  storage: ObjectStorage;
}): TaskDefinition[] {
  const ai = aiSettingsFromEnv(db, env);
  return [
    scheduleTickTask(db),
    designImageTask({ db, storage, ...ai }),
    agentRunTask({
      db,
      connectionString: env.DATABASE_URL,
      ...ai,
      allowPrivate: env.scanner.scanOptions.allowPrivate,
      toolWaitMs: (env.SCAN_DEADLINE_SECONDS + 300) * 1000,
    }),
  ];
}
