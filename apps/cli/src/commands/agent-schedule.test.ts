import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createApiKey } from "@techscaniq/api";
import { createTechScanClient } from "@techscaniq/api/client";
import { startTestApiServer, type TestApiServer } from "@techscaniq/api/testing";
import { sql, withServiceTx } from "@techscaniq/db";
import {
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentIo } from "./agent";
import { runAgentRuns, runScheduleAdd, runScheduleList, runScheduleNext } from "./agent-schedule";

let database: TestDatabase;
let api: TestApiServer;
let connection: { url: string; apiKey: string };
let agentId: string;
let tenantId: string;
let dataDir: string;
/** The stack-watch template's input: the URLs to watch. */
let inputFile: string;

function captureIo(): AgentIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (text) => out.push(text), stderr: (text) => err.push(text) };
}

const scheduleCount = async () =>
  (
    await sql<{ count: number }>`select count(*)::int as count from public.agent_schedules`.execute(
      database.db.kysely,
    )
  ).rows[0]!.count;

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), "tsiq-cli-schedule-"));
  inputFile = path.join(dataDir, "input.json");
  await writeFile(inputFile, JSON.stringify({ urls: ["https://a.example/"] }));
  api = await startTestApiServer(database.db);
  const owner = await createTestUser(database.db);
  const tenant = await createTestTenant(database.db, owner.id);
  tenantId = tenant.id;
  const key = await createApiKey(database.db, {
    tenantSlug: tenant.slug,
    name: "cli schedule test",
    scopes: ["read", "write"],
  });
  connection = { url: api.url.replace(/\/api\/trpc$/, ""), apiKey: key.secret };
  const client = createTechScanClient({ url: api.url, apiKey: key.secret });
  agentId = (await client.agent.create.mutate({ name: "Daily watch", templateId: "stack-watch" })).id;
}, 120_000);

afterAll(async () => {
  await api?.close();
  await database?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

describe("schedules: CLI agent schedule add / next / list and agent runs", { timeout: 120_000 }, () => {
  it("adds a schedule (its id alone on stdout) and prints the next runs with the zone's offset", async () => {
    const io = captureIo();
    const code = await runScheduleAdd(
      agentId,
      {
        cron: "0 9 * * 1-5",
        tz: "Europe/Amsterdam",
        overlap: "buffer_one",
        catchup: "15m",
        input: inputFile,
      },
      connection,
      io,
    );
    expect(io.err.join("")).toContain("scheduled '0 9 * * 1-5' in Europe/Amsterdam");
    expect(code).toBe(0);
    const scheduleId = io.out.join("").trim();
    expect(scheduleId).toMatch(/^[0-9a-f-]{36}$/);

    const next = captureIo();
    expect(
      await runScheduleNext(scheduleId, { count: "3", from: "2027-03-25T12:00:00Z" }, connection, next),
    ).toBe(0);
    expect(next.out.join("")).toBe(
      "2027-03-26T09:00:00+01:00\n2027-03-29T09:00:00+02:00\n2027-03-30T09:00:00+02:00\n",
    );
    const json = captureIo();
    await runScheduleNext(
      scheduleId,
      { count: "2", from: "2026-10-23T12:00:00Z", json: true },
      connection,
      json,
    );
    expect(JSON.parse(json.out.join(""))).toEqual({
      timezone: "Europe/Amsterdam",
      runs: ["2026-10-26T09:00:00+01:00", "2026-10-27T09:00:00+01:00"],
    });

    const list = captureIo();
    await runScheduleList(agentId, {}, connection, list);
    expect(list.out.join("")).toContain(`${scheduleId}  enabled   0 9 * * 1-5`);
    expect(list.out.join("")).toContain("overlap buffer_one catch-up 15m");
  });

  it("refuses a wrong field, zone, catch-up or id with exit 2 before any request; adds nothing", async () => {
    const before = await scheduleCount();
    for (const [flags, message] of [
      [{ cron: "0 61 * * *", tz: "UTC" }, "hour field: 61 is out of range 0-23"],
      [{ cron: "0 9 * * *", tz: "Europe/Atlantis" }, "'Europe/Atlantis' is not an IANA time zone"],
      [{ cron: "0 9 * * *", tz: "UTC", catchup: "15" }, "duration '15' must look like 0, 90s, 15m, 2h or 1d"],
      [{ cron: "0 9 * * *", tz: "UTC", overlap: "queue" }, "overlap must be skip, buffer_one or allow"],
      [{ tz: "UTC" }, "--cron EXPR is required"],
    ] as const) {
      const io = captureIo();
      expect(await runScheduleAdd(agentId, flags, connection, io)).toBe(2);
      expect(io.err.join("")).toContain(message);
      expect(io.out).toEqual([]);
    }
    const io = captureIo();
    expect(await runScheduleNext("not-an-id", {}, connection, io)).toBe(2);
    expect(await scheduleCount()).toBe(before);
  });

  it("agent runs shows a schedule's missed run with its reason", async () => {
    const add = captureIo();
    await runScheduleAdd(agentId, { cron: "* * * * *", tz: "UTC", input: inputFile }, connection, add);
    const scheduleId = add.out.join("").trim();
    // The worker's tick writes such a row after downtime (see the worker's schedule-tick tests).
    await withServiceTx(database.db, (tx) =>
      tx
        .insertInto("agent_runs")
        .values({
          tenant_id: tenantId,
          agent_id: agentId,
          agent_version: 1,
          trigger: "schedule",
          schedule_id: scheduleId,
          slot_at: new Date("2026-12-07T10:02:00Z"),
          status: "missed",
          ended_at: new Date(),
          skip_reason: "worker down 2026-12-07 10:02–10:12 UTC; outside catch-up window 0",
        })
        .execute(),
    );
    const io = captureIo();
    expect(await runAgentRuns(agentId, {}, connection, io)).toBe(0);
    expect(io.out.join("")).toMatch(
      /missed\s+schedule\s+v1 {2}slot 2026-12-07T10:02:00.000Z {2}worker down 2026-12-07 10:02–10:12 UTC/,
    );
    const json = captureIo();
    await runAgentRuns(agentId, { json: true }, connection, json);
    expect(JSON.parse(json.out.join(""))[0]).toMatchObject({
      status: "missed",
      scheduleId,
      backfilled: false,
    });
  });
});
