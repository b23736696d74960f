import {
  formatDuration,
  formatInZone,
  nextSlot,
  nextSlots,
  type CronSchedule,
} from "@techscaniq/contracts/schedules";
import type { Database, Selectable, Transaction } from "@techscaniq/db";
import type { z } from "zod";
import { DomainError } from "../../errors";
import { checkRunInput, findAgent, runnableVersion } from "../agents/agents";
import type { ScanActor } from "../scans/service";
import type {
  createScheduleInput,
  nextSlotsInput,
  ScheduleView,
  updateScheduleInput,
} from "./schedules.schemas";

/**
 * Agent schedules: the API checks the cron, zone and input and computes next_run_at (the first slot
 * to come); the worker's agent.schedule_tick turns due slots into runs and moves next_run_at on.
 */

type Tx = Transaction<Database>;
type ScheduleRow = Selectable<Database["agent_schedules"]>;
type AgentRow = Selectable<Database["agents"]>;

interface Bounds extends CronSchedule {
  starts_at: Date | null;
  ends_at: Date | null;
}

export function toScheduleView(row: ScheduleRow): ScheduleView {
  return {
    id: row.id,
    agentId: row.agent_id,
    cron: row.cron,
    timezone: row.timezone,
    enabled: row.enabled,
    overlap: row.overlap,
    catchUp: formatDuration(row.catch_up_seconds),
    input: row.input as Record<string, unknown>,
    startsAt: row.starts_at ? formatInZone(row.starts_at, row.timezone) : null,
    endsAt: row.ends_at ? formatInZone(row.ends_at, row.timezone) : null,
    nextRunAt: row.next_run_at ? formatInZone(row.next_run_at, row.timezone) : null,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const toDate = (iso: string | null | undefined) => (iso ? new Date(iso) : null);

/** Up to `count` slots after `from` inside the schedule's start and end. */
function slotsAfter(schedule: Bounds, from: Date, count: number): Date[] {
  const start =
    schedule.starts_at && schedule.starts_at > from ? new Date(schedule.starts_at.getTime() - 1) : from;
  return nextSlots(schedule, start, count).filter((slot) => !schedule.ends_at || slot <= schedule.ends_at);
}

/** The schedule's first slot after now, or null when it has none left. */
const firstSlot = (schedule: Bounds) => slotsAfter(schedule, new Date(), 1)[0] ?? null;

function checkBounds(bounds: Bounds) {
  if (bounds.starts_at && bounds.ends_at && bounds.ends_at <= bounds.starts_at)
    throw new DomainError("BAD_REQUEST", "endsAt must be after startsAt", { endsAt: ["not after startsAt"] });
  if (nextSlot(bounds, new Date()) === null)
    throw new DomainError("BAD_REQUEST", `cron: '${bounds.cron}' never matches a date`, {
      cron: ["never matches"],
    });
}

/** The input must fit the input schema of the version the agent runs now. */
async function checkScheduleInput(tx: Tx, agent: AgentRow, input: Record<string, unknown>) {
  const { version, spec } = await runnableVersion(tx, agent);
  checkRunInput(spec, version, input);
}

export async function findSchedule(
  tx: Tx,
  actor: ScanActor,
  scheduleId: string,
  { forUpdate = false } = {},
): Promise<ScheduleRow> {
  let query = tx
    .selectFrom("agent_schedules")
    .selectAll()
    .where("id", "=", scheduleId)
    .where("tenant_id", "=", actor.tenantId);
  if (forUpdate) query = query.forUpdate();
  const schedule = await query.executeTakeFirst();
  if (!schedule) throw new DomainError("NOT_FOUND", `Schedule ${scheduleId} was not found in this tenant`);
  return schedule;
}

export async function createSchedule(
  tx: Tx,
  actor: ScanActor,
  input: z.output<typeof createScheduleInput>,
): Promise<ScheduleView> {
  const agent = await findAgent(tx, actor, input.agentId);
  if (agent.status === "archived")
    throw new DomainError("PRECONDITION_FAILED", `Agent ${agent.name} is archived; it cannot be scheduled`);
  await checkScheduleInput(tx, agent, input.input);
  const bounds: Bounds = {
    cron: input.cron,
    timezone: input.timezone,
    starts_at: toDate(input.startsAt),
    ends_at: toDate(input.endsAt),
  };
  checkBounds(bounds);
  const row = await tx
    .insertInto("agent_schedules")
    .values({
      tenant_id: actor.tenantId,
      agent_id: agent.id,
      cron: input.cron,
      timezone: input.timezone,
      enabled: input.enabled,
      overlap: input.overlap,
      catch_up_seconds: input.catchUp,
      input: JSON.stringify(input.input),
      starts_at: bounds.starts_at,
      ends_at: bounds.ends_at,
      next_run_at: firstSlot(bounds),
      created_by: actor.userId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toScheduleView(row);
}

/** Changes what is given; a new cron, zone or bound starts again from the first slot after now. */
export async function updateSchedule(
  tx: Tx,
  actor: ScanActor,
  input: z.output<typeof updateScheduleInput>,
): Promise<ScheduleView> {
  const schedule = await findSchedule(tx, actor, input.scheduleId, { forUpdate: true });
  if (input.input !== undefined)
    await checkScheduleInput(tx, await findAgent(tx, actor, schedule.agent_id), input.input);
  const bounds: Bounds = {
    cron: input.cron ?? schedule.cron,
    timezone: input.timezone ?? schedule.timezone,
    starts_at: input.startsAt === undefined ? schedule.starts_at : toDate(input.startsAt),
    ends_at: input.endsAt === undefined ? schedule.ends_at : toDate(input.endsAt),
  };
  checkBounds(bounds);
  const timing = [input.cron, input.timezone, input.startsAt, input.endsAt].some((v) => v !== undefined);
  const row = await tx
    .updateTable("agent_schedules")
    .set({
      cron: bounds.cron,
      timezone: bounds.timezone,
      starts_at: bounds.starts_at,
      ends_at: bounds.ends_at,
      ...(input.overlap !== undefined ? { overlap: input.overlap } : {}),
      ...(input.catchUp !== undefined ? { catch_up_seconds: input.catchUp } : {}),
      ...(input.input !== undefined ? { input: JSON.stringify(input.input) } : {}),
      ...(timing ? { next_run_at: firstSlot(bounds) } : {}),
    })
    .where("id", "=", schedule.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toScheduleView(row);
}

/**
 * Enabling starts from the first slot after now: the slots while it was disabled pass without runs
 * (disabling is the record), rather than coming back as missed or backfilled runs.
 */
export async function setScheduleEnabled(
  tx: Tx,
  actor: ScanActor,
  scheduleId: string,
  enabled: boolean,
): Promise<ScheduleView> {
  const schedule = await findSchedule(tx, actor, scheduleId, { forUpdate: true });
  if (schedule.enabled === enabled) return toScheduleView(schedule);
  const row = await tx
    .updateTable("agent_schedules")
    .set({ enabled, ...(enabled ? { next_run_at: firstSlot(schedule) } : {}) })
    .where("id", "=", schedule.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toScheduleView(row);
}

/** Removes the schedule; its runs stay (with their slot) and lose the link. */
export async function deleteSchedule(tx: Tx, actor: ScanActor, scheduleId: string): Promise<void> {
  const schedule = await findSchedule(tx, actor, scheduleId);
  await tx.deleteFrom("agent_schedules").where("id", "=", schedule.id).execute();
}

export async function listSchedules(tx: Tx, actor: ScanActor, agentId: string): Promise<ScheduleView[]> {
  const agent = await findAgent(tx, actor, agentId);
  const rows = await tx
    .selectFrom("agent_schedules")
    .selectAll()
    .where("agent_id", "=", agent.id)
    .where("tenant_id", "=", actor.tenantId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(toScheduleView);
}

/** The next `count` run times after `from` (now), as ISO instants with the schedule's offset. */
export async function scheduleNextSlots(
  tx: Tx,
  actor: ScanActor,
  input: z.output<typeof nextSlotsInput>,
): Promise<{ timezone: string; runs: string[] }> {
  const schedule = await findSchedule(tx, actor, input.scheduleId);
  const from = input.from ? new Date(input.from) : new Date();
  return {
    timezone: schedule.timezone,
    runs: slotsAfter(schedule, from, input.count).map((slot) => formatInZone(slot, schedule.timezone)),
  };
}
