import { describe, expect, it } from "vitest";
import {
  CronExpression,
  TimeZone,
  checkCron,
  formatDuration,
  formatInZone,
  nextSlots,
  parseDuration,
  slotsBetween,
} from "./index";

describe("schedules: cron expressions", () => {
  it.each([
    ["61 * * * *", "minute field: 61 is out of range 0-59"],
    ["* 24 * * *", "hour field: 24 is out of range 0-23"],
    ["* * 0 * *", "day-of-month field: 0 is out of range 1-31"],
    ["* * * 13 *", "month field: 13 is out of range 1-12"],
    ["* * * * 8", "day-of-week field: 8 is out of range 0-7"],
    ["abc * * * *", "minute field: 'abc' is not a number"],
    ["*/0 * * * *", "minute field: step '0' must be a whole number of at least 1"],
    ["5-2 * * * *", "minute field: range 5-2 goes backwards"],
    ["* * * * FOO", "day-of-week field: 'FOO' is not a number or name"],
    ["* * * *", "cron needs 5 fields (minute hour day-of-month month day-of-week), got 4: '* * * *'"],
    ["* * * * * *", "cron needs 5 fields"],
    ["", "cron needs 5 fields"],
  ])("rejects %j naming what is wrong", (expression, message) => {
    expect(() => checkCron(expression)).toThrow(message);
    const parsed = CronExpression.safeParse(expression);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toContain(message);
  });

  it("accepts lists, ranges, steps and names, and normalises spaces", () => {
    expect(checkCron("  0,30  9-17/2 * jan-MAR mon-fri ")).toBe("0,30 9-17/2 * jan-MAR mon-fri");
    expect(checkCron("0 0 * * 7")).toBe("0 0 * * 7");
  });

  it("validates IANA zones", () => {
    expect(TimeZone.safeParse("Europe/Amsterdam").success).toBe(true);
    expect(TimeZone.safeParse("UTC").success).toBe(true);
    expect(TimeZone.safeParse("Mars/Olympus").error?.issues[0]?.message).toBe(
      "'Mars/Olympus' is not an IANA time zone",
    );
  });
});

describe("schedules: DST next slots", () => {
  const schedule = { cron: "0 9 * * 1-5", timezone: "Europe/Amsterdam" };
  it("runs at 09:00 local on both sides of the 2027-03-28 change", () => {
    const slots = nextSlots(schedule, new Date("2027-03-25T12:00:00Z"), 3);
    expect(slots.map((slot) => formatInZone(slot, schedule.timezone))).toEqual([
      "2027-03-26T09:00:00+01:00",
      "2027-03-29T09:00:00+02:00",
      "2027-03-30T09:00:00+02:00",
    ]);
    expect(slots.map((slot) => slot.toISOString())).toEqual([
      "2027-03-26T08:00:00.000Z",
      "2027-03-29T07:00:00.000Z",
      "2027-03-30T07:00:00.000Z",
    ]);
  });
  it("runs at 09:00 local on both sides of the 2026-10-25 change", () => {
    const slots = nextSlots(schedule, new Date("2026-10-22T12:00:00Z"), 3);
    expect(slots.map((slot) => formatInZone(slot, schedule.timezone))).toEqual([
      "2026-10-23T09:00:00+02:00",
      "2026-10-26T09:00:00+01:00",
      "2026-10-27T09:00:00+01:00",
    ]);
  });
});

describe("schedules: slots between two instants", () => {
  it("includes both ends and keeps the newest when over the limit", () => {
    const everyMinute = { cron: "* * * * *", timezone: "UTC" };
    const from = new Date("2026-12-07T10:02:00Z");
    const until = new Date("2026-12-07T10:12:30Z");
    expect(slotsBetween(everyMinute, from, until, 100).slots).toHaveLength(11);
    const limited = slotsBetween(everyMinute, from, until, 3);
    expect(limited.dropped).toBe(8);
    expect(limited.slots.map((slot) => slot.toISOString())).toEqual([
      "2026-12-07T10:10:00.000Z",
      "2026-12-07T10:11:00.000Z",
      "2026-12-07T10:12:00.000Z",
    ]);
  });
  it("formats offsets of zones west of UTC and with half hours", () => {
    const instant = new Date("2026-12-07T10:00:00Z");
    expect(formatInZone(instant, "America/New_York")).toBe("2026-12-07T05:00:00-05:00");
    expect(formatInZone(instant, "Asia/Kolkata")).toBe("2026-12-07T15:30:00+05:30");
    expect(formatInZone(instant, "UTC")).toBe("2026-12-07T10:00:00+00:00");
  });
});

describe("schedules: catch-up durations", () => {
  it.each([
    ["0", 0],
    ["15m", 900],
    ["1d", 86_400],
    ["90s", 90],
  ])("parses %s", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });
  it.each(["15", "2w", "-1m", "2d", "m"])("rejects %s", (text) => {
    expect(() => parseDuration(text)).toThrow(/must look like|longer than 1d/);
  });
  it("formats the shortest way", () => {
    expect([0, 900, 86_400, 90, 7200].map(formatDuration)).toEqual(["0", "15m", "1d", "90s", "2h"]);
  });
});
