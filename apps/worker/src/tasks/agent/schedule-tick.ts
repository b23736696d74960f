import {
  AGENT_RUN_TASK,
  AGENT_SCHEDULE_TICK_TASK,
  AgentScheduleTickPayload,
} from "@techscaniq/contracts/tasks";
import {
  formatDuration,
  formatInZone,
  nextSlot,
  slotsBetween,
  type CronSchedule,
  type ScheduleOverlap,
} from "@techscaniq/contracts/schedules";
import { sql, withServiceTx, type Database, type Db, type Insertable } from "@techscaniq/db";
import { defineTask } from "../define";

/**
 * The schedules' tick: graphile-worker's crontab is UTC and static, so one job a minute reads the
 * enabled schedules whose next_run_at has come and turns each slot since into a run of the agent's
 * current version (so a new version applies to later slots; a queued run keeps its version). A slot
 * is unique per schedule on agent_runs and the schedules are taken `for update skip locked`, so two
 * workers ticking the same minute create one run. Runs whose slot is past:
 * - within the catch-up window: queued, `backfilled`;
 * - beyond it: a `missed` run saying when no tick came.
 * The overlap policy may turn a slot into a `skipped` run (reason `overlap`). While the agent is not
 * published or the schedule is disabled, slots pass without rows (pausing is its own record).
 */

/** Schedules taken per transaction; several rounds until none is due. */
const TICK_BATCH = 500;
/** Slots one schedule turns into rows per tick; older ones are counted in the newest missed row. */
const MAX_SLOTS_PER_TICK = 100;
const ACTIVE_STATUSES = ["queued", "running", "waiting_approval"] as const;

export interface TickResult {
  schedules: number;
  queued: number;
  skipped: number;
  missed: number;
}

type RunValues = Insertable<Database["agent_runs"]>;

interface DueSchedule extends CronSchedule {
  id: string;
  tenant_id: string;
  agent_id: string;
  input: unknown;
  overlap: ScheduleOverlap;
  catch_up_seconds: number;
  ends_at: Date | null;
  next_run_at: Date;
  agent_status: string;
  current_version: number | null;
}

/** Runs of the schedule that are queued or under way, counted as the tick adds runs. */
interface Active {
  queued: number;
  running: number;
}

/** `slot` unless it is past the schedule's end. */
const withinEnd = (schedule: DueSchedule, slot: Date | null) =>
  slot && (!schedule.ends_at || slot.getTime() <= schedule.ends_at.getTime()) ? slot : null;

/** "2026-12-07 10:02" in the schedule's zone; the end only as "10:12" on the same day. */
function downtime(schedule: DueSchedule, from: Date, to: Date): string {
  const [start, end] = [from, to].map((at) =>
    formatInZone(at, schedule.timezone).slice(0, 16).replace("T", " "),
  );
  const sameDay = start!.slice(0, 10) === end!.slice(0, 10);
  return `${start}–${sameDay ? end!.slice(11) : end} ${schedule.timezone}`;
}

/** A slot's job key: sched:<schedule id>:<slot ISO>. */
const jobKey = (run: { schedule_id: string | null; slot_at: Date | null }) =>
  `sched:${run.schedule_id}:${run.slot_at!.toISOString()}`;

/** Whether a slot may queue a run under the overlap policy, given the schedule's active runs. */
function overlapAllows(overlap: ScheduleOverlap, active: Active): boolean {
  if (overlap === "allow") return true;
  if (overlap === "skip") return active.queued + active.running === 0;
  return active.queued === 0; // buffer_one: one may wait behind the running one
}

/** The rows for one due schedule's slots, oldest first, and its next_run_at after them. */
function slotRuns(
  schedule: DueSchedule,
  now: Date,
  active: Active,
): { runs: RunValues[]; next: Date | null } {
  const until = schedule.ends_at && schedule.ends_at < now ? schedule.ends_at : now;
  const { slots, dropped, next } = slotsBetween(schedule, schedule.next_run_at, until, MAX_SLOTS_PER_TICK);
  const base = {
    tenant_id: schedule.tenant_id,
    agent_id: schedule.agent_id,
    agent_version: schedule.current_version!,
    trigger: "schedule" as const,
    input: JSON.stringify(schedule.input),
    schedule_id: schedule.id,
  };
  const runs = slots.map((slot, index): RunValues => {
    const age = now.getTime() - slot.getTime();
    const current = index === slots.length - 1 && age < 60_000;
    if (!current && age > schedule.catch_up_seconds * 1000) {
      const older = index === 0 && dropped > 0 ? `; ${dropped} older slots not recorded` : "";
      return {
        ...base,
        slot_at: slot,
        status: "missed",
        ended_at: now,
        skip_reason:
          `worker down ${downtime(schedule, schedule.next_run_at, now)}; ` +
          `outside catch-up window ${formatDuration(schedule.catch_up_seconds)}${older}`,
      };
    }
    if (!overlapAllows(schedule.overlap, active)) {
      return {
        ...base,
        slot_at: slot,
        backfilled: !current,
        status: "skipped",
        ended_at: now,
        skip_reason: "overlap",
      };
    }
    active.queued++;
    return { ...base, slot_at: slot, backfilled: !current };
  });
  return { runs, next: withinEnd(schedule, next) };
}

/** One round: up to TICK_BATCH due schedules, locked, turned into runs and jobs; returns what it did. */
async function tickBatch(db: Db, now: Date): Promise<TickResult> {
  return withServiceTx(db, async (tx) => {
    const due = (await tx
      .selectFrom("agent_schedules as s")
      .innerJoin("agents as a", (join) =>
        join.onRef("a.tenant_id", "=", "s.tenant_id").onRef("a.id", "=", "s.agent_id"),
      )
      .select([
        "s.id",
        "s.tenant_id",
        "s.agent_id",
        "s.cron",
        "s.timezone",
        "s.input",
        "s.overlap",
        "s.catch_up_seconds",
        "s.ends_at",
        "s.next_run_at",
        "a.status as agent_status",
        "a.current_version",
      ])
      .where("s.enabled", "=", true)
      .where("s.next_run_at", "<=", now)
      .orderBy("s.next_run_at")
      .limit(TICK_BATCH)
      .forUpdate("s")
      .skipLocked()
      .execute()) as DueSchedule[];
    const result: TickResult = { schedules: due.length, queued: 0, skipped: 0, missed: 0 };
    if (due.length === 0) return result;

    const runnable = due.filter((s) => s.agent_status === "published" && s.current_version !== null);
    const active = new Map<string, Active>(runnable.map((s) => [s.id, { queued: 0, running: 0 }]));
    if (runnable.length > 0) {
      const counts = await tx
        .selectFrom("agent_runs")
        .select((eb) => [
          "schedule_id",
          eb.fn.countAll<string>().filterWhere("status", "=", "queued").as("queued"),
          eb.fn.countAll<string>().filterWhere("status", "!=", "queued").as("running"),
        ])
        .where("schedule_id", "in", [...active.keys()])
        .where("status", "in", [...ACTIVE_STATUSES])
        .groupBy("schedule_id")
        .execute();
      for (const row of counts)
        active.set(row.schedule_id!, { queued: Number(row.queued), running: Number(row.running) });
    }
    // Slots of a paused agent pass without rows: its next_run_at moves to the first slot after now.
    const handled = new Map(
      due.map((schedule) => [
        schedule.id,
        active.has(schedule.id)
          ? slotRuns(schedule, now, active.get(schedule.id)!)
          : { runs: [], next: withinEnd(schedule, nextSlot(schedule, now)) },
      ]),
    );
    const values = [...handled.values()].flatMap((slots) => slots.runs);

    const inserted =
      values.length === 0
        ? []
        : await tx
            .insertInto("agent_runs")
            .values(values)
            .onConflict((conflict) => conflict.columns(["schedule_id", "slot_at"]).doNothing())
            .returning(["id", "tenant_id", "schedule_id", "slot_at", "status", "agent_version", "backfilled"])
            .execute();
    const overlapOf = new Map(due.map((s) => [s.id, s.overlap]));
    const queued = inserted.filter((run) => run.status === "queued");
    if (queued.length > 0) {
      // buffer_one's waiting run must not start beside the running one: its schedule's own job queue
      // runs one job at a time.
      await sql`
        select graphile_worker.add_jobs(array(
          select row(${AGENT_RUN_TASK}, json_build_object('runId', q.run_id), q.queue_name, null, 5,
                     q.job_key, null, null)::graphile_worker.job_spec
            from unnest(${queued.map((run) => run.id)}::uuid[],
                        ${queued.map(jobKey)}::text[],
                        ${queued.map((run) =>
                          overlapOf.get(run.schedule_id!) === "buffer_one"
                            ? `sched:${run.schedule_id}`
                            : null,
                        )}::text[]) as q(run_id, job_key, queue_name)))`.execute(tx);
    }
    if (inserted.length > 0) {
      await sql`
        select private.emit_event(e.type, e.tenant_id, null, e.subject, e.data, 1)
          from unnest(${inserted.map((run) => `agent_run.${run.status}`)}::text[],
                      ${inserted.map((run) => run.tenant_id)}::uuid[],
                      ${inserted.map((run) => run.id)}::text[],
                      ${inserted.map((run) =>
                        JSON.stringify({
                          version: run.agent_version,
                          scheduleId: run.schedule_id,
                          slot: run.slot_at!.toISOString(),
                          backfilled: run.backfilled,
                        }),
                      )}::jsonb[]) as e(type, tenant_id, subject, data)`.execute(tx);
    }

    const nextRuns = due.map((schedule) => handled.get(schedule.id)!.next);
    await sql`
      update public.agent_schedules s set next_run_at = v.next_run_at
        from unnest(${due.map((s) => s.id)}::uuid[], ${nextRuns}::timestamptz[]) as v(id, next_run_at)
       where s.id = v.id`.execute(tx);

    for (const run of inserted) {
      if (run.status === "queued") result.queued++;
      else if (run.status === "skipped") result.skipped++;
      else result.missed++;
    }
    return result;
  });
}

/** Handles every schedule due at `now`, in rounds of TICK_BATCH; ones another worker holds are its. */
export async function tickSchedules(db: Db, now: Date): Promise<TickResult> {
  const total: TickResult = { schedules: 0, queued: 0, skipped: 0, missed: 0 };
  for (;;) {
    const round = await tickBatch(db, now);
    total.schedules += round.schedules;
    total.queued += round.queued;
    total.skipped += round.skipped;
    total.missed += round.missed;
    if (round.schedules < TICK_BATCH) return total;
  }
}

/** `agent.schedule_tick`, every minute from the worker's crontab; a payload's `now` replaces the clock. */
export function scheduleTickTask(db: Db, clock: () => Date = () => new Date()) {
  return defineTask({
    name: AGENT_SCHEDULE_TICK_TASK,
    payload: AgentScheduleTickPayload,
    handler: async (payload, { helpers }) => {
      const result = await tickSchedules(db, payload.now ? new Date(payload.now) : clock());
      if (result.schedules > 0)
        helpers.logger.info(
          `schedule tick: ${result.schedules} schedules, ${result.queued} queued, ` +
            `${result.skipped} skipped, ${result.missed} missed`,
        );
    },
  });
}
