import type { JobHelpers, Task } from "graphile-worker";
import type { z } from "zod";

/** What every task handler receives next to its parsed payload. */
export interface TaskContext {
  helpers: JobHelpers;
}

export interface TaskDefinition<Schema extends z.ZodType = z.ZodType> {
  /** graphile-worker task identifier, `group.action` (e.g. `scan.crawl`). */
  name: string;
  payload: Schema;
  /**
   * Must be idempotent: graphile-worker retries failed jobs and re-runs jobs
   * whose worker crashed, so a second run must not duplicate or lose work.
   */
  handler: (payload: z.output<Schema>, context: TaskContext) => Promise<void>;
}

export function defineTask<Schema extends z.ZodType>(
  definition: TaskDefinition<Schema>,
): TaskDefinition<Schema> {
  if (!/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/.test(definition.name)) {
    throw new Error(`Task name "${definition.name}" must look like group.action (lowercase, dot-separated)`);
  }
  return definition;
}

/** True on the job's last attempt: a failure now is final, so the task records it. */
export const isLastAttempt = (helpers: JobHelpers) => helpers.job.attempts >= helpers.job.max_attempts;

/** Thrown for failures that no retry can fix; the job is failed for good. */
export class PermanentTaskError extends Error {
  override name = "PermanentTaskError";
}

export function describePayloadIssues(taskName: string, issues: readonly z.core.$ZodIssue[]): string {
  const problems = issues.map(
    (issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(payload)"}: ${issue.message}`,
  );
  return `Invalid payload for task ${taskName}: ${problems.join("; ")}`;
}

/**
 * Retrying a job only helps with transient failures; for a permanent one we
 * spend its remaining attempts so graphile-worker never picks it up again.
 * graphile-worker 0.18 has no public call for failing a *locked* job
 * (`permanently_fail_jobs` skips locked ones), hence the update on its table.
 */
async function exhaustAttempts(helpers: JobHelpers): Promise<void> {
  await helpers.withPgClient((client) =>
    client.query("update graphile_worker._private_jobs set max_attempts = attempts where id = $1", [
      helpers.job.id,
    ]),
  );
}

/** Wraps a definition as a graphile-worker task: parse the payload first, fail for good on bad input. */
export function toGraphileTask(definition: TaskDefinition): Task {
  return async (rawPayload, helpers) => {
    const parsed = definition.payload.safeParse(rawPayload);
    try {
      if (!parsed.success)
        throw new PermanentTaskError(describePayloadIssues(definition.name, parsed.error.issues));
      await definition.handler(parsed.data, { helpers });
    } catch (error) {
      if (error instanceof PermanentTaskError) await exhaustAttempts(helpers);
      throw error;
    }
  };
}
