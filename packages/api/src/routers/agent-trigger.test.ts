import { emitEvent, sql, withServiceTx } from "@techscaniq/db";
import { addTestMember, createTestTenant } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../domain/api-keys";
import { expectTrpcError, startApiTestBed, type ApiTestBed, type SignedInUser } from "../testing";

let bed: ApiTestBed;
let alice: SignedInUser;
let bob: SignedInUser;
let viewer: SignedInUser;
let tenantA: { id: string; slug: string };
let tenantB: { id: string };
let writeKey: string;

const asAlice = () => bed.client({ accessToken: alice.accessToken, tenantId: tenantA.id });
const asBob = () => bed.client({ accessToken: bob.accessToken, tenantId: tenantB.id });
const asViewer = () => bed.client({ accessToken: viewer.accessToken, tenantId: tenantA.id });
const URLS = { urls: ["https://a.example/"] };

beforeAll(async () => {
  bed = await startApiTestBed();
  [alice, bob, viewer] = [await bed.signedInUser(), await bed.signedInUser(), await bed.signedInUser()];
  tenantA = await createTestTenant(bed.database.db, alice.id);
  tenantB = await createTestTenant(bed.database.db, bob.id);
  await addTestMember(bed.database.db, tenantA.id, viewer.id, "viewer");
  writeKey = (await createApiKey(bed.database.db, { tenantSlug: tenantA.slug, name: "w", scopes: ["write"] }))
    .secret;
});

afterAll(() => bed.close());

let names = 0;
const stackWatch = () =>
  asAlice().agent.create.mutate({ name: `Watch ${++names}`, templateId: "stack-watch" });
const triggerCount = async () =>
  (
    await sql<{ n: number }>`select count(*)::int as n from public.agent_triggers`.execute(
      bed.database.db.kysely,
    )
  ).rows[0]!.n;

describe("triggers: agentTrigger router", () => {
  it("creates, lists, changes and deletes a trigger with a filter and an input map", async () => {
    const agent = await stackWatch();
    const created = await asAlice().agentTrigger.create.mutate({
      agentId: agent.id,
      eventType: "finding.changed",
      filter: [{ path: "data.changes.0.kind", op: "in", value: ["version_changed", "technology_added"] }],
      input: { urls: [] },
      inputMap: { watchlistId: "data.watchlistId" },
    });
    expect(created).toMatchObject({
      agentId: agent.id,
      eventType: "finding.changed",
      enabled: true,
      createdBy: alice.id,
      inputMap: { watchlistId: "data.watchlistId" },
    });
    expect(await asAlice().agentTrigger.list.query({ agentId: agent.id })).toEqual([created]);
    const disabled = await asAlice().agentTrigger.update.mutate({ triggerId: created.id, enabled: false });
    expect(disabled).toMatchObject({ enabled: false, filter: created.filter });
    expect(await asAlice().agentTrigger.firings.query({ triggerId: created.id })).toEqual({
      items: [],
      nextCursor: null,
    });
    await asAlice().agentTrigger.delete.mutate({ triggerId: created.id });
    expect(await asAlice().agentTrigger.list.query({ agentId: agent.id })).toEqual([]);
  });

  it("refuses a bad filter, event type or path with a clear error, and changes nothing", async () => {
    const agent = await stackWatch();
    const before = await triggerCount();
    await expectTrpcError(
      asAlice().agentTrigger.create.mutate({ agentId: agent.id, eventType: "scan.queued" as never }),
      "BAD_REQUEST",
    );
    await expectTrpcError(
      asAlice().agentTrigger.create.mutate({
        agentId: agent.id,
        eventType: "scan.completed",
        filter: [{ path: "data.__x__.constructor()", op: "eq", value: 1 }],
      }),
      "BAD_REQUEST",
      "path must be subject, type or data.<field>",
    );
    await expectTrpcError(
      asAlice().agentTrigger.create.mutate({
        agentId: agent.id,
        eventType: "scan.completed",
        filter: [{ path: "data.status", op: "like" as never, value: "x" }],
      }),
      "BAD_REQUEST",
    );
    expect(await triggerCount()).toBe(before);
  });

  it("another tenant gets NOT_FOUND and a viewer FORBIDDEN, changing nothing", async () => {
    const agent = await stackWatch();
    const trigger = await asAlice().agentTrigger.create.mutate({
      agentId: agent.id,
      eventType: "scan.completed",
    });
    const before = await triggerCount();
    await expectTrpcError(
      asBob().agentTrigger.create.mutate({ agentId: agent.id, eventType: "scan.completed" }),
      "NOT_FOUND",
    );
    await expectTrpcError(asBob().agentTrigger.get.query({ triggerId: trigger.id }), "NOT_FOUND");
    await expectTrpcError(asBob().agentTrigger.delete.mutate({ triggerId: trigger.id }), "NOT_FOUND");
    await expectTrpcError(
      asViewer().agentTrigger.update.mutate({ triggerId: trigger.id, enabled: false }),
      "FORBIDDEN",
    );
    expect(await asViewer().agentTrigger.get.query({ triggerId: trigger.id })).toEqual(trigger);
    expect(await triggerCount()).toBe(before);
  });
});

describe("executions: agentRun.list filters by trigger and time; a run shows its event", () => {
  it("filters an event run, a manual run and an API run apart, and pages within a time range", async () => {
    const agent = await stackWatch();
    const manual = await asAlice().agentRun.trigger.mutate({ agentId: agent.id, input: URLS });
    const byKey = await bed
      .client({ apiKey: writeKey })
      .agentRun.trigger.mutate({ agentId: agent.id, input: URLS });
    // The worker's part (agent.trigger_event): an event run recording the scan.completed that started it.
    const { runId, eventId } = await withServiceTx(bed.database.db, async (tx) => {
      const event = await emitEvent(tx, {
        type: "scan.completed",
        tenantId: tenantA.id,
        userId: null,
        subject: "00000000-0000-4000-8000-000000000001",
      });
      const run = await tx
        .insertInto("agent_runs")
        .values({
          tenant_id: tenantA.id,
          agent_id: agent.id,
          agent_version: 1,
          trigger: "event",
          trigger_event_id: String(event.id),
          input: JSON.stringify(URLS),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      return { runId: run.id, eventId: String(event.id) };
    });

    const list = (input: Parameters<ReturnType<typeof asAlice>["agentRun"]["list"]["query"]>[0]) =>
      asAlice().agentRun.list.query({ agentId: agent.id, ...input });
    const events = await list({ trigger: "event" });
    expect(events.items.map((run) => [run.id, run.event])).toEqual([
      [runId, { id: eventId, type: "scan.completed" }],
    ]);
    expect((await list({ trigger: ["manual", "api"] })).items.map((run) => run.id)).toEqual([
      byKey.id,
      manual.id,
    ]);
    expect((await asAlice().agentRun.get.query({ runId: manual.id })).event).toBeNull();

    const all = (await list({})).items;
    expect(all.map((run) => run.id)).toEqual([runId, byKey.id, manual.id]);
    const from = manual.createdAt;
    const to = all[0]!.createdAt;
    // [from, to): the first two runs, paged one by one.
    const page1 = await list({ from, to, limit: 1 });
    const page2 = await list({ from, to, limit: 1, cursor: page1.nextCursor! });
    expect([...page1.items, ...page2.items].map((run) => run.id)).toEqual(
      [byKey.id, manual.id].filter((id) => all.find((run) => run.id === id)!.createdAt < to),
    );
    expect((await list({ from: to, status: "queued", trigger: "event" })).items).toHaveLength(1);
    await expectTrpcError(list({ from: to, to: from }), "BAD_REQUEST", "from must be before to");
    await expectTrpcError(list({ from: "yesterday" }), "BAD_REQUEST", "must be an ISO 8601 date-time");
  });
});
