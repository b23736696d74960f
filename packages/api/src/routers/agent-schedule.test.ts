import { sql } from "@techscaniq/db";
import { addTestMember, createTestTenant } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, startApiTestBed, type ApiTestBed, type SignedInUser } from "../testing";

let bed: ApiTestBed;
let alice: SignedInUser;
let bob: SignedInUser;
let viewer: SignedInUser;
let tenantA: { id: string };
let tenantB: { id: string };

const asAlice = () => bed.client({ accessToken: alice.accessToken, tenantId: tenantA.id });
const asBob = () => bed.client({ accessToken: bob.accessToken, tenantId: tenantB.id });
const asViewer = () => bed.client({ accessToken: viewer.accessToken, tenantId: tenantA.id });

const URLS = { urls: ["https://a.example/"] };
let names = 0;
const stackWatch = () =>
  asAlice().agent.create.mutate({ name: `Scheduled ${++names}`, templateId: "stack-watch" });

const scheduleCount = async () =>
  (
    await sql<{ count: number }>`select count(*)::int as count from public.agent_schedules`.execute(
      bed.database.db.kysely,
    )
  ).rows[0]!.count;

beforeAll(async () => {
  bed = await startApiTestBed();
  [alice, bob, viewer] = [await bed.signedInUser(), await bed.signedInUser(), await bed.signedInUser()];
  tenantA = await createTestTenant(bed.database.db, alice.id);
  tenantB = await createTestTenant(bed.database.db, bob.id);
  await addTestMember(bed.database.db, tenantA.id, viewer.id, "viewer");
});

afterAll(() => bed.close());

describe("schedules: the agentSchedule API", { timeout: 120_000 }, () => {
  it("schedules: next five runs in the zone across DST, and agent.status's next run", async () => {
    const agent = await stackWatch();
    const schedule = await asAlice().agentSchedule.create.mutate({
      agentId: agent.id,
      cron: "0  9 * * 1-5",
      timezone: "Europe/Amsterdam",
      overlap: "buffer_one",
      catchUp: "15m",
      input: URLS,
    });
    expect(schedule).toMatchObject({
      cron: "0 9 * * 1-5",
      timezone: "Europe/Amsterdam",
      overlap: "buffer_one",
      catchUp: "15m",
      enabled: true,
      input: URLS,
    });
    expect(schedule.nextRunAt).toMatch(/T09:00:00\+0[12]:00$/);

    const next = await asAlice().agentSchedule.next.query({
      scheduleId: schedule.id,
      from: "2027-03-25T12:00:00Z",
    });
    expect(next).toEqual({
      timezone: "Europe/Amsterdam",
      runs: [
        "2027-03-26T09:00:00+01:00",
        "2027-03-29T09:00:00+02:00",
        "2027-03-30T09:00:00+02:00",
        "2027-03-31T09:00:00+02:00",
        "2027-04-01T09:00:00+02:00",
      ],
    });
    expect(
      (await asViewer().agentSchedule.next.query({ scheduleId: schedule.id, count: 50 })).runs,
    ).toHaveLength(50);
    expect((await asAlice().agent.status.query({ agentId: agent.id })).nextRunAt).toBe(schedule.nextRunAt);
    expect(await asViewer().agentSchedule.list.query({ agentId: agent.id })).toEqual([schedule]);

    await asAlice().agent.pause.mutate({ agentId: agent.id });
    expect((await asAlice().agent.status.query({ agentId: agent.id })).nextRunAt).toBeNull();
  });

  it("schedules: update, disable, enable and delete", async () => {
    const agent = await stackWatch();
    const created = await asAlice().agentSchedule.create.mutate({
      agentId: agent.id,
      cron: "*/5 * * * *",
      timezone: "UTC",
      input: URLS,
    });
    expect([created.overlap, created.catchUp]).toEqual(["skip", "0"]);
    const updated = await asAlice().agentSchedule.update.mutate({
      scheduleId: created.id,
      cron: "0 0 1 1 *",
      timezone: "America/New_York",
      catchUp: "1d",
    });
    expect(updated.nextRunAt).toMatch(/-01-01T00:00:00-05:00$/);
    expect(updated.catchUp).toBe("1d");
    expect((await asAlice().agentSchedule.disable.mutate({ scheduleId: created.id })).enabled).toBe(false);
    expect((await asAlice().agent.status.query({ agentId: agent.id })).nextRunAt).toBeNull();
    expect((await asAlice().agentSchedule.enable.mutate({ scheduleId: created.id })).enabled).toBe(true);
    await asAlice().agentSchedule.delete.mutate({ scheduleId: created.id });
    expect(await asAlice().agentSchedule.list.query({ agentId: agent.id })).toEqual([]);
  });

  it("schedules: bad input gets a clear error and changes nothing", async () => {
    const agent = await stackWatch();
    const before = await scheduleCount();
    const create = (overrides: Record<string, unknown>) =>
      asAlice().agentSchedule.create.mutate({
        agentId: agent.id,
        cron: "0 9 * * *",
        timezone: "UTC",
        input: URLS,
        ...overrides,
      } as Parameters<ReturnType<typeof asAlice>["agentSchedule"]["create"]["mutate"]>[0]);
    await expectTrpcError(
      create({ cron: "61 * * * *" }),
      "BAD_REQUEST",
      /minute field: 61 is out of range 0-59/,
    );
    await expectTrpcError(
      create({ cron: "* * * 13 *" }),
      "BAD_REQUEST",
      /month field: 13 is out of range 1-12/,
    );
    await expectTrpcError(create({ cron: "@daily" }), "BAD_REQUEST", /cron needs 5 fields/);
    await expectTrpcError(create({ cron: "0 0 31 2 *" }), "BAD_REQUEST", /never matches/);
    await expectTrpcError(create({ timezone: "Mars/Olympus" }), "BAD_REQUEST", /not an IANA time zone/);
    await expectTrpcError(create({ catchUp: "15" }), "BAD_REQUEST", /must look like 0, 90s, 15m, 2h or 1d/);
    await expectTrpcError(create({ overlap: "queue" }), "BAD_REQUEST", /overlap must be skip, buffer_one/);
    await expectTrpcError(create({ input: { urls: "nope" } }), "BAD_REQUEST", /input does not match/);
    await expectTrpcError(
      create({ startsAt: "2027-01-02T00:00:00Z", endsAt: "2027-01-01T00:00:00Z" }),
      "BAD_REQUEST",
      /endsAt must be after startsAt/,
    );
    await expectTrpcError(
      asViewer().agentSchedule.create.mutate({
        agentId: agent.id,
        cron: "0 9 * * *",
        timezone: "UTC",
        input: URLS,
      }),
      "FORBIDDEN",
    );
    await expectTrpcError(
      asBob().agentSchedule.create.mutate({
        agentId: agent.id,
        cron: "0 9 * * *",
        timezone: "UTC",
        input: URLS,
      }),
      "NOT_FOUND",
    );
    expect(await scheduleCount()).toBe(before);

    const schedule = await create({});
    await expectTrpcError(
      asAlice().agentSchedule.next.query({ scheduleId: schedule.id, count: 51 }),
      "BAD_REQUEST",
      /count is at most 50/,
    );
    await expectTrpcError(asBob().agentSchedule.next.query({ scheduleId: schedule.id }), "NOT_FOUND");
    await expectTrpcError(asBob().agentSchedule.delete.mutate({ scheduleId: schedule.id }), "NOT_FOUND");
    await expectTrpcError(
      asAlice().agentSchedule.update.mutate({ scheduleId: schedule.id, cron: "0 25 * * *" }),
      "BAD_REQUEST",
      /hour field: 25 is out of range 0-23/,
    );
    expect(await asAlice().agentSchedule.get.query({ scheduleId: schedule.id })).toEqual(schedule);
  });
});
