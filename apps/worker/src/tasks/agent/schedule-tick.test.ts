import type { AgentSpecInput } from "@techscaniq/contracts/agents";
import { formatInZone, nextSlot, type ScheduleOverlap } from "@techscaniq/contracts/schedules";
import { sql, withServiceTx } from "@techscaniq/db";
import {
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublishedAgent, type TestMember } from "../../testing/agent";
import { tickSchedules } from "./schedule-tick";

let database: TestDatabase;
let member: TestMember;

const SPEC: AgentSpecInput = {
  instructions: "Watch the stack.",
  inputSchema: { type: "object", properties: { url: { type: "string" } } },
  tools: ["propose_action"],
  plan: [{ tool: "propose_action", input: { action: "issue.create", title: "Review", body: "Weekly" } }],
};

interface ScheduleOptions {
  cron?: string;
  timezone?: string;
  overlap?: ScheduleOverlap;
  catchUpSeconds?: number;
  /** The first slot strictly after this instant is the schedule's next_run_at. */
  from: Date;
}

/** A schedule as the API saves it: next_run_at is its first slot after `from`. */
async function createSchedule(agentId: string, options: ScheduleOptions): Promise<string> {
  const cron = options.cron ?? "* * * * *";
  const timezone = options.timezone ?? "UTC";
  return withServiceTx(database.db, async (tx) => {
    const row = await tx
      .insertInto("agent_schedules")
      .values({
        tenant_id: member.tenantId,
        agent_id: agentId,
        cron,
        timezone,
        overlap: options.overlap ?? "allow",
        catch_up_seconds: options.catchUpSeconds ?? 0,
        input: JSON.stringify({ url: "https://example.com" }),
        next_run_at: nextSlot({ cron, timezone }, options.from),
        created_by: member.userId,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  });
}

const runsOf = (scheduleId: string) =>
  database.db.kysely
    .selectFrom("agent_runs")
    .selectAll()
    .where("schedule_id", "=", scheduleId)
    .orderBy("slot_at")
    .orderBy("created_at")
    .execute();

const scheduleRow = (scheduleId: string) =>
  database.db.kysely
    .selectFrom("agent_schedules")
    .selectAll()
    .where("id", "=", scheduleId)
    .executeTakeFirstOrThrow();

const jobOf = async (runId: string) =>
  (
    await sql<{ key: string | null; queue_name: string | null }>`
      select v.key, v.queue_name from graphile_worker.jobs v
        join graphile_worker._private_jobs j using (id) where j.payload->>'runId' = ${runId}`.execute(
      database.db.kysely,
    )
  ).rows;

const at = (iso: string) => new Date(iso);

beforeAll(async () => {
  database = await createTestDatabase();
  const user = await createTestUser(database.db);
  member = { tenantId: (await createTestTenant(database.db, user.id)).id, userId: user.id };
}, 120_000);

afterAll(async () => {
  await database.drop();
});

describe("schedules: the tick on real Postgres with a controllable clock", { timeout: 120_000 }, () => {
  it("schedules: DST — 0 9 * * 1-5 in Europe/Amsterdam runs at 09:00 local on both sides", async () => {
    const agentId = await createPublishedAgent(database.db, member, SPEC);
    const timezone = "Europe/Amsterdam";
    for (const [from, ticks] of [
      ["2027-03-25T12:00:00Z", ["2027-03-26T08:00:02Z", "2027-03-29T07:00:02Z", "2027-03-29T08:00:02Z"]],
      ["2026-10-22T12:00:00Z", ["2026-10-23T07:00:02Z", "2026-10-26T07:00:02Z", "2026-10-26T08:00:02Z"]],
    ] as const) {
      const scheduleId = await createSchedule(agentId, { cron: "0 9 * * 1-5", timezone, from: at(from) });
      for (const now of ticks) await tickSchedules(database.db, at(now));
      const runs = await runsOf(scheduleId);
      // Two runs, not three: the tick an hour later (09:00 had DST been ignored) finds nothing due.
      expect(runs.map((run) => formatInZone(run.slot_at!, timezone).slice(11))).toEqual([
        expect.stringMatching(/^09:00:00\+0[12]:00$/),
        expect.stringMatching(/^09:00:00\+0[12]:00$/),
      ]);
      expect(runs.map((run) => [run.status, run.trigger, run.backfilled])).toEqual([
        ["queued", "schedule", false],
        ["queued", "schedule", false],
      ]);
      expect(new Set(runs.map((run) => formatInZone(run.slot_at!, timezone).slice(19))).size).toBe(2);
    }
  });

  it("schedules: two workers one run — two ticks of one minute create each slot's run once", async () => {
    const agentId = await createPublishedAgent(database.db, member, SPEC);
    const from = at("2026-12-07T09:59:30Z");
    const scheduleIds = await Promise.all(
      Array.from({ length: 40 }, () => createSchedule(agentId, { from })),
    );
    const now = at("2026-12-07T10:00:01Z");
    const results = await Promise.all([tickSchedules(database.db, now), tickSchedules(database.db, now)]);
    expect(results[0]!.queued + results[1]!.queued).toBe(40);
    for (const scheduleId of scheduleIds) {
      const runs = await runsOf(scheduleId);
      expect(runs).toHaveLength(1);
      expect(await jobOf(runs[0]!.id)).toEqual([
        { key: `sched:${scheduleId}:2026-12-07T10:00:00.000Z`, queue_name: null },
      ]);
    }
    // A late tick of the same minute finds nothing; the slot itself is unique per schedule.
    expect((await tickSchedules(database.db, now)).queued).toBe(0);
    const [first] = await runsOf(scheduleIds[0]!);
    await expect(
      withServiceTx(database.db, (tx) =>
        tx
          .insertInto("agent_runs")
          .values({
            tenant_id: member.tenantId,
            agent_id: agentId,
            agent_version: 1,
            trigger: "schedule",
            schedule_id: scheduleIds[0]!,
            slot_at: first!.slot_at,
          })
          .execute(),
      ),
    ).rejects.toMatchObject({ code: "23505" });
  });

  it("schedules: 10 minutes downtime — catch-up 15m backfills, catch-up 0 records missed", async () => {
    const agentId = await createPublishedAgent(database.db, member, SPEC);
    // The last tick handled 10:01; the worker is down until 10:12.
    const from = at("2026-12-07T10:01:00Z");
    const timezone = "Europe/Amsterdam";
    const within = await createSchedule(agentId, { from, timezone, catchUpSeconds: 15 * 60 });
    const beyond = await createSchedule(agentId, { from, timezone, catchUpSeconds: 0 });
    await tickSchedules(database.db, at("2026-12-07T10:12:00.400Z"));

    const backfilled = await runsOf(within);
    expect(backfilled).toHaveLength(11);
    expect(backfilled.map((run) => run.status)).toEqual(Array(11).fill("queued"));
    expect(backfilled.map((run) => run.backfilled)).toEqual([...Array(10).fill(true), false]);

    const missed = await runsOf(beyond);
    expect(missed).toHaveLength(11);
    expect(missed.slice(0, 10).map((run) => [run.status, run.skip_reason])).toEqual(
      Array(10).fill([
        "missed",
        "worker down 2026-12-07 11:02–11:12 Europe/Amsterdam; outside catch-up window 0",
      ]),
    );
    expect(missed.slice(0, 10).every((run) => run.ended_at !== null)).toBe(true);
    expect(await jobOf(missed[0]!.id)).toEqual([]);
    // The current minute's slot runs whatever the window.
    expect([missed[10]!.status, missed[10]!.backfilled]).toEqual(["queued", false]);
    expect((await scheduleRow(beyond)).next_run_at).toEqual(at("2026-12-07T10:13:00Z"));
  });

  it("schedules: overlap skip and buffer_one", async () => {
    const agentId = await createPublishedAgent(database.db, member, SPEC);
    const from = at("2026-12-07T10:00:30Z");
    const skip = await createSchedule(agentId, { from, overlap: "skip" });
    const bufferOne = await createSchedule(agentId, { from, overlap: "buffer_one" });
    const allow = await createSchedule(agentId, { from, overlap: "allow" });
    const startRunning = (scheduleId: string) =>
      withServiceTx(database.db, (tx) =>
        tx
          .updateTable("agent_runs")
          .set({ status: "running", started_at: new Date() })
          .where("schedule_id", "=", scheduleId)
          .where("status", "=", "queued")
          .execute(),
      );

    await tickSchedules(database.db, at("2026-12-07T10:01:00.300Z"));
    await startRunning(skip);
    await startRunning(bufferOne);
    await tickSchedules(database.db, at("2026-12-07T10:02:00.300Z"));
    await tickSchedules(database.db, at("2026-12-07T10:03:00.300Z"));

    const statuses = async (scheduleId: string) =>
      (await runsOf(scheduleId)).map((run) => [run.status, run.skip_reason]);
    expect(await statuses(skip)).toEqual([
      ["running", null],
      ["skipped", "overlap"],
      ["skipped", "overlap"],
    ]);
    // One queued behind the running one; the next slot finds it waiting and is skipped.
    expect(await statuses(bufferOne)).toEqual([
      ["running", null],
      ["queued", null],
      ["skipped", "overlap"],
    ]);
    const buffered = (await runsOf(bufferOne))[1]!;
    expect(await jobOf(buffered.id)).toEqual([
      { key: `sched:${bufferOne}:2026-12-07T10:02:00.000Z`, queue_name: `sched:${bufferOne}` },
    ]);
    expect(await statuses(allow)).toEqual([
      ["queued", null],
      ["queued", null],
      ["queued", null],
    ]);
  });

  it("schedules: pause and publish — paused slots pass silently; later slots run the new one", async () => {
    const agentId = await createPublishedAgent(database.db, member, SPEC);
    const scheduleId = await createSchedule(agentId, { from: at("2026-12-07T10:00:30Z") });
    await tickSchedules(database.db, at("2026-12-07T10:01:00.200Z"));

    await withServiceTx(database.db, async (tx) => {
      await tx
        .insertInto("agent_versions")
        .values({ tenant_id: member.tenantId, agent_id: agentId, version: 2, spec: JSON.stringify(SPEC) })
        .execute();
      await tx.updateTable("agents").set({ current_version: 2 }).where("id", "=", agentId).execute();
    });
    await tickSchedules(database.db, at("2026-12-07T10:02:00.200Z"));

    const setStatus = (status: "paused" | "published") =>
      withServiceTx(database.db, (tx) =>
        tx.updateTable("agents").set({ status }).where("id", "=", agentId).execute(),
      );
    await setStatus("paused");
    for (const minute of ["03", "04", "05"])
      await tickSchedules(database.db, at(`2026-12-07T10:${minute}:00.200Z`));
    expect((await scheduleRow(scheduleId)).next_run_at).toEqual(at("2026-12-07T10:06:00Z"));
    await setStatus("published");
    await tickSchedules(database.db, at("2026-12-07T10:06:00.200Z"));

    const runs = await runsOf(scheduleId);
    // The slot queued before the publish keeps version 1; the pause left no runs and no missed rows.
    expect(
      runs.map((run) => [run.slot_at!.toISOString().slice(11, 16), run.agent_version, run.status]),
    ).toEqual([
      ["10:01", 1, "queued"],
      ["10:02", 2, "queued"],
      ["10:06", 2, "queued"],
    ]);
  });
});
