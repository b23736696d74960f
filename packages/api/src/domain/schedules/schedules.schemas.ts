import {
  CatchUpWindow,
  CronExpression,
  MAX_NEXT_SLOTS,
  ScheduleOverlap,
  TimeZone,
} from "@techscaniq/contracts/schedules";
import { z } from "zod";
import { idSchema } from "../../schemas";
import { agentIdSchema } from "../agents/agents.schemas";

/** Inputs and outputs of the `agentSchedule` router. */

export const scheduleIdSchema = idSchema("an agent schedule");
const instant = z.iso.datetime({
  offset: true,
  error: "must be an ISO 8601 instant (e.g. 2027-03-29T09:00:00Z)",
});
/** The run's input: a JSON object, checked against the agent's input schema by the service. */
const scheduleRunInput = z.record(z.string(), z.unknown(), { error: "input must be a JSON object" });

export const scheduleRefInput = z.object({ scheduleId: scheduleIdSchema }).strict();
export const listSchedulesInput = z.object({ agentId: agentIdSchema }).strict();

export const createScheduleInput = z
  .object({
    agentId: agentIdSchema,
    cron: CronExpression,
    timezone: TimeZone,
    overlap: ScheduleOverlap.default("skip"),
    /** `0`, `90s`, `15m`, `2h`, `1d`: how late a slot may still run after downtime. */
    catchUp: CatchUpWindow.default(0),
    input: scheduleRunInput.default({}),
    startsAt: instant.optional(),
    endsAt: instant.optional(),
    enabled: z.boolean().default(true),
  })
  .strict();

export const updateScheduleInput = z
  .object({
    scheduleId: scheduleIdSchema,
    cron: CronExpression.optional(),
    timezone: TimeZone.optional(),
    overlap: ScheduleOverlap.optional(),
    catchUp: CatchUpWindow.optional(),
    input: scheduleRunInput.optional(),
    /** null removes the bound. */
    startsAt: instant.nullable().optional(),
    endsAt: instant.nullable().optional(),
  })
  .strict();

export const nextSlotsInput = z
  .object({
    scheduleId: scheduleIdSchema,
    count: z.number().int().min(1).max(MAX_NEXT_SLOTS, `count is at most ${MAX_NEXT_SLOTS}`).default(5),
    /** Now when absent. */
    from: instant.optional(),
  })
  .strict();

// ---------------------------------------------------------------- outputs

export const scheduleSchema = z.object({
  id: z.uuid(),
  agentId: z.uuid(),
  cron: z.string(),
  timezone: z.string(),
  enabled: z.boolean(),
  overlap: ScheduleOverlap,
  /** As `0`, `15m`, `1d`. */
  catchUp: z.string(),
  input: z.record(z.string(), z.unknown()),
  startsAt: z.string().nullable(),
  endsAt: z.string().nullable(),
  /** The first slot not yet handled, with the zone's offset; null when none is left. */
  nextRunAt: z.string().nullable(),
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ScheduleView = z.output<typeof scheduleSchema>;

export const scheduleListSchema = z.array(scheduleSchema);
export const nextSlotsSchema = z.object({
  timezone: z.string(),
  /** ISO 8601 instants with the zone's offset at each, e.g. 2027-03-29T09:00:00+02:00. */
  runs: z.array(z.string()),
});
export const deletedScheduleSchema = z.object({ deleted: z.literal(true) });
