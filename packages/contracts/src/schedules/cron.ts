import { Cron } from "croner";
import { z } from "zod";

/**
 * Agent schedules' cron: 5-field expressions (minute hour day-of-month month
 * day-of-week) in an IANA time zone. We check the syntax ourselves, field by
 * field, so a mistake is named ("minute field: 61 is out of range 0-59");
 * croner (maintained, DST-aware) computes the run times.
 */

interface CronField {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const CRON_FIELDS: readonly CronField[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  // Names are 1-based for months (JAN = 1) and 0-based for days (SUN = 0; 7 is Sunday too).
  { name: "month", min: 1, max: 12, names: ["", ...MONTH_NAMES] },
  { name: "day-of-week", min: 0, max: 7, names: DAY_NAMES },
];

export class CronError extends Error {
  override name = "CronError";
}

function fieldValue(field: CronField, text: string): number {
  const named = text === "" ? -1 : (field.names?.indexOf(text.toUpperCase()) ?? -1);
  if (named >= 0) return named;
  if (!/^\d+$/.test(text)) {
    throw new CronError(`${field.name} field: '${text}' is not a number${field.names ? " or name" : ""}`);
  }
  const value = Number(text);
  if (value < field.min || value > field.max) {
    throw new CronError(`${field.name} field: ${text} is out of range ${field.min}-${field.max}`);
  }
  return value;
}

/** One comma-separated item: `*`, `a`, `a-b`, each optionally `/step`. */
function checkItem(field: CronField, item: string): void {
  if (item === "") throw new CronError(`${field.name} field: empty list item`);
  const [range = "", step, extra] = item.split("/");
  if (extra !== undefined) throw new CronError(`${field.name} field: '${item}' has more than one '/'`);
  if (step !== undefined && (!/^\d+$/.test(step) || Number(step) < 1)) {
    throw new CronError(`${field.name} field: step '${step}' must be a whole number of at least 1`);
  }
  if (range === "*") return;
  const [from = "", to, more] = range.split("-");
  if (more !== undefined) throw new CronError(`${field.name} field: '${range}' has more than one '-'`);
  const start = fieldValue(field, from);
  if (to === undefined) return;
  const end = fieldValue(field, to);
  if (end < start) throw new CronError(`${field.name} field: range ${range} goes backwards`);
}

/** Checks a 5-field cron expression: returns it single-spaced, or throws a CronError naming the field. */
export function checkCron(expression: string): string {
  const fields = expression.trim().split(/\s+/);
  if (expression.trim() === "" || fields.length !== CRON_FIELDS.length) {
    throw new CronError(
      `cron needs 5 fields (minute hour day-of-month month day-of-week), got ${
        expression.trim() === "" ? 0 : fields.length
      }: '${expression.trim()}'`,
    );
  }
  fields.forEach((text, index) => {
    const field = CRON_FIELDS[index] as CronField;
    for (const item of text.split(",")) checkItem(field, item);
  });
  return fields.join(" ");
}

/** True when `zone` is an IANA time zone this runtime knows (e.g. Europe/Amsterdam, UTC). */
export function isTimeZone(zone: string): boolean {
  if (zone.trim() === "" || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const CronExpression = z
  .string()
  .max(200, { error: "cron expression is longer than 200 characters" })
  .transform((expression, context) => {
    try {
      return checkCron(expression);
    } catch (error) {
      context.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  });

export const TimeZone = z
  .string()
  .refine(isTimeZone, { error: (issue) => `'${String(issue.input)}' is not an IANA time zone` });

export interface CronSchedule {
  cron: string;
  timezone: string;
}

function cronOf({ cron, timezone }: CronSchedule): Cron {
  // legacyMode: day-of-month and day-of-week match when either does, as in Vixie cron.
  return new Cron(checkCron(cron), { timezone, paused: true, legacyMode: true });
}

/** The first `count` run times strictly after `after`. */
export function nextSlots(schedule: CronSchedule, after: Date, count: number): Date[] {
  return cronOf(schedule).nextRuns(count, after);
}

/** The first run time strictly after `after` (null if the expression never matches again). */
export function nextSlot(schedule: CronSchedule, after: Date): Date | null {
  return cronOf(schedule).nextRun(after);
}

/**
 * Run times `from` ≤ t ≤ `until`, oldest first, at most `limit` of the newest (the count of older
 * ones dropped is returned, so a schedule far behind does not enumerate for ever into memory), and
 * `next`, the first run time after `until` (null if none).
 */
export function slotsBetween(
  schedule: CronSchedule,
  from: Date,
  until: Date,
  limit: number,
): { slots: Date[]; dropped: number; next: Date | null } {
  const cron = cronOf(schedule);
  const slots: Date[] = [];
  let dropped = 0;
  let next: Date | null = cron.nextRun(new Date(from.getTime() - 1));
  while (next && next.getTime() <= until.getTime()) {
    slots.push(next);
    if (slots.length > limit) {
      slots.shift();
      dropped++;
    }
    next = cron.nextRun(next);
  }
  return { slots, dropped, next };
}

const pad = (value: number) => String(value).padStart(2, "0");

/** The instant as ISO 8601 with the zone's offset at that instant, e.g. 2027-03-29T09:00:00+02:00. */
export function formatInZone(instant: Date, timezone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  ) as Record<string, string>;
  const local = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  const wholeSeconds = Math.floor(instant.getTime() / 1000) * 1000;
  const offsetMinutes = Math.round((Date.parse(`${local}Z`) - wholeSeconds) / 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const minutes = Math.abs(offsetMinutes);
  const offset = `${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
  return `${local}${offset}`;
}

// ---------------------------------------------------------------- catch-up window

const DURATION_UNITS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
/** The longest catch-up window: a day of backfill is plenty, and bounds the runs one tick can create. */
export const MAX_CATCH_UP_SECONDS = 86_400;

/** `0`, `90s`, `15m`, `2h`, `1d` → seconds; anything else, or more than 1d, throws with the reason. */
export function parseDuration(text: string): number {
  const match = /^(\d{1,6})([smhd]?)$/.exec(text.trim());
  if (!match || (match[2] === "" && Number(match[1]) !== 0)) {
    throw new CronError(`duration '${text}' must look like 0, 90s, 15m, 2h or 1d`);
  }
  const seconds = Number(match[1]) * DURATION_UNITS[(match[2] || "s") as keyof typeof DURATION_UNITS];
  if (seconds > MAX_CATCH_UP_SECONDS) throw new CronError(`duration '${text}' is longer than 1d`);
  return seconds;
}

/** Seconds as the shortest of `0`, `90s`, `15m`, `2h`, `1d`. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return "0";
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

export const CatchUpWindow = z.string().transform((text, context) => {
  try {
    return parseDuration(text);
  } catch (error) {
    context.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});
