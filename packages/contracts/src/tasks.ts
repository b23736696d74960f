import { z } from "zod";
import type { ScanStageName } from "./scan/stages";

/**
 * Worker task names and payloads: the worker parses each payload with these
 * schemas, and the declaration below types every graphile-worker `addJob`.
 * (Jobs queued from SQL, e.g. private.enqueue_scan_job, use the same names.)
 */

export const scanTaskName = <Stage extends ScanStageName>(stage: Stage) => `scan.${stage}` as const;

export const ScanStagePayload = z
  .object({ scanId: z.uuid({ error: "scanId must be a scan id (uuid)" }) })
  .strict();

export const REPORT_GENERATE_TASK = "report.generate";
export const ReportGeneratePayload = z
  .object({
    scanId: z.uuid({ error: "scanId must be a scan id (uuid)" }),
    reportId: z.uuid({ error: "reportId must be a report id (uuid)" }).optional(),
  })
  .strict();

/** Runs (or resumes, after a restart or an approval) one agent run from its checkpoint. */
export const AGENT_RUN_TASK = "agent.run";
export const AgentRunPayload = z
  .object({ runId: z.uuid({ error: "runId must be an agent run id (uuid)" }) })
  .strict();

/**
 * Starts an agent for one event its trigger subscribes to (queued by the events row trigger
 * private.queue_agent_triggers under job key evt:<triggerId>:<eventId>); once per (trigger, event).
 */
export const AGENT_TRIGGER_EVENT_TASK = "agent.trigger_event";
export const AgentTriggerEventPayload = z
  .object({
    triggerId: z.uuid({ error: "triggerId must be an agent trigger id (uuid)" }),
    eventId: z.union([z.number().int().positive(), z.string().regex(/^\d{1,19}$/)], {
      error: "eventId must be an event id",
    }),
  })
  .strict();

/** Sends a design session's diagram to a vision-capable model and stores the analysis in the session. */
export const DESIGN_ANALYZE_IMAGE_TASK = "design.analyze_image";
export const DesignAnalyzeImagePayload = z
  .object({ sessionId: z.uuid({ error: "sessionId must be a design session id (uuid)" }) })
  .strict();

/**
 * Every minute (graphile-worker crontab): queue the due slots of agent schedules. `now` is for
 * tests and benchmarks (a controllable clock); `_cron` is what graphile-worker's crontab adds.
 */
export const AGENT_SCHEDULE_TICK_TASK = "agent.schedule_tick";
export const AgentScheduleTickPayload = z.object({
  now: z.iso.datetime({ offset: true, error: "now must be an ISO 8601 instant" }).optional(),
  _cron: z.object({ ts: z.string(), backfilled: z.boolean() }).optional(),
});

/** Queues the re-scans of the watchlists whose slot has come (crontab: each minute). */
export const WATCHLIST_TICK_TASK = "watchlist.tick";
/** graphile-worker's crontab adds `_cron` to the payload; nothing else is read. */
export const WatchlistTickPayload = z.object({
  _cron: z.object({ ts: z.string(), backfilled: z.boolean() }).optional(),
});

/** Compares a watched scan that ended with the URL's previous scan (queued by an events row trigger). */
export const WATCHLIST_COMPARE_TASK = "watchlist.compare";
export const WatchlistComparePayload = z
  .object({ scanId: z.uuid({ error: "scanId must be a scan id (uuid)" }) })
  .strict();

export const PRUNE_HEARTBEATS_TASK = "maintenance.prune_heartbeats";
export const PruneHeartbeatsPayload = z.object({
  olderThanMinutes: z
    .number()
    .int()
    .min(5)
    .max(60 * 24 * 30)
    .default(60 * 24),
});

type ScanStageTasks = { [Stage in ScanStageName as `scan.${Stage}`]: z.input<typeof ScanStagePayload> };

declare global {
  // graphile-worker reads job payload types from this global interface.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace GraphileWorker {
    interface Tasks extends ScanStageTasks {
      "report.generate": z.input<typeof ReportGeneratePayload>;
      "maintenance.prune_heartbeats": z.input<typeof PruneHeartbeatsPayload>;
      "agent.run": z.input<typeof AgentRunPayload>;
      "agent.trigger_event": z.input<typeof AgentTriggerEventPayload>;
      "agent.schedule_tick": z.input<typeof AgentScheduleTickPayload>;
      "watchlist.tick": z.input<typeof WatchlistTickPayload>;
      "watchlist.compare": z.input<typeof WatchlistComparePayload>;
      "design.analyze_image": z.input<typeof DesignAnalyzeImagePayload>;
    }
  }
}
