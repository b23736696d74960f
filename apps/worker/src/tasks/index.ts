import type { Db } from "@techscaniq/db";
import { storageFromEnv } from "@techscaniq/db/storage";
import type { WorkerEnv } from "../env";
import type { Logger } from "../logger";
import type { CronItem, TaskList } from "graphile-worker";
import { agentTasks } from "./agent/index";
import { toGraphileTask, type TaskDefinition } from "./define";
import { integrationTasks } from "./integration/index";
import { pruneHeartbeatsTask } from "./prune-heartbeats";
import { reportTasks } from "./report/index";
import { scanTasks } from "./scan/index";
import { watchlistTasks } from "./watchlist/index";

export interface TaskDependencies {
  db: Db;
  env: WorkerEnv;
  logger: Logger;
}

/** THE list of tasks this worker runs. New task groups (scan, report, agent…) are added here. */
export function defineTasks({ db, env, logger }: TaskDependencies): TaskDefinition[] {
  // One storage for every task group: scans write screenshots, reports their exports, designs read diagrams.
  const storage = storageFromEnv(env.db);
  return [
    pruneHeartbeatsTask(db),
    ...scanTasks({ db, env, logger, storage }),
    ...reportTasks({ db, env, logger, storage }),
    ...agentTasks({ db, env, storage }),
    ...integrationTasks({ db, env }),
    ...watchlistTasks(db),
  ];
}

/** Recurring jobs; `identifier` keeps one schedule per item across restarts and workers. */
export const cronItems: CronItem[] = [
  { task: "maintenance.prune_heartbeats", match: "0 * * * *", identifier: "prune_heartbeats" },
  // Agent schedules live in a table (cron in any zone): one tick a minute queues their due slots.
  { task: "agent.schedule_tick", match: "* * * * *", identifier: "agent_schedule_tick" },
  // Watchlists' re-scan cadence uses the same cron module; their tick runs beside the schedules'.
  { task: "watchlist.tick", match: "* * * * *", identifier: "watchlist_tick" },
];

export function buildTaskList(definitions: readonly TaskDefinition[]): TaskList {
  const taskList: TaskList = {};
  for (const definition of definitions) {
    if (taskList[definition.name]) throw new Error(`Task ${definition.name} is defined twice`);
    taskList[definition.name] = toGraphileTask(definition);
  }
  return taskList;
}
