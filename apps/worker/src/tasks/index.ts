import type { Db } from "@techscaniq/db";
import type { TaskList } from "graphile-worker";
import { toGraphileTask, type TaskDefinition } from "./define";
import { pruneHeartbeatsTask } from "./prune-heartbeats";

export interface TaskDependencies {
  db: Db;
}

/** THE list of tasks this worker runs. New task groups (scan, report, agent…) are added here. */
export function defineTasks({ db }: TaskDependencies): TaskDefinition[] {
  return [pruneHeartbeatsTask(db)];
}

/** Recurring jobs, in graphile-worker crontab syntax; `?id=` keeps one schedule per line across restarts. */
export const crontab = ["0 * * * * maintenance.prune_heartbeats ?id=prune_heartbeats"].join("\n");

export function buildTaskList(definitions: readonly TaskDefinition[]): TaskList {
  const taskList: TaskList = {};
  for (const definition of definitions) {
    if (taskList[definition.name]) throw new Error(`Task ${definition.name} is defined twice`);
    taskList[definition.name] = toGraphileTask(definition);
  }
  return taskList;
}
