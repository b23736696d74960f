import { withServiceTx } from "@techscaniq/db";
import { addTestMember } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, startApiTestBed, type ApiTestBed, type SignedInUser } from "../testing";

let bed: ApiTestBed;
let owner: SignedInUser;
let tenantA: { id: string };
let tenantB: { id: string };

const call = (
  tenantId: string,
  day: string,
  fields: {
    provider: string;
    model: string;
    task: string;
    input: number;
    output: number;
    cost: string;
    outcome?: string;
  },
) => ({
  tenant_id: tenantId,
  task: fields.task,
  provider: fields.provider,
  model: fields.model,
  input_tokens: fields.input,
  output_tokens: fields.output,
  cost_usd: fields.cost,
  latency_ms: 100,
  outcome: fields.outcome ?? "ok",
  created_at: new Date(`${day}T12:00:00Z`),
});

beforeAll(async () => {
  bed = await startApiTestBed();
  owner = await bed.signedInUser();
  tenantA = await bed
    .client({ accessToken: owner.accessToken })
    .tenant.create.mutate({ slug: "usage-a", name: "A" });
  const ownerB = await bed.signedInUser();
  tenantB = await bed
    .client({ accessToken: ownerB.accessToken })
    .tenant.create.mutate({ slug: "usage-b", name: "B" });
  await withServiceTx(bed.database.db, async (trx) => {
    await trx
      .insertInto("ai_usage")
      .values([
        call(tenantA.id, "2026-03-01", {
          provider: "openai",
          model: "gpt-4o-mini",
          task: "writeSection",
          input: 1000,
          output: 200,
          cost: "0.000270",
        }),
        call(tenantA.id, "2026-03-01", {
          provider: "openai",
          model: "gpt-4o-mini",
          task: "verifyClaim",
          input: 300,
          output: 20,
          cost: "0.000057",
        }),
        call(tenantA.id, "2026-03-03", {
          provider: "openai",
          model: "gpt-4o-mini",
          task: "writeSection",
          input: 0,
          output: 0,
          cost: "0",
          outcome: "rate_limited",
        }),
        call(tenantA.id, "2026-03-03", {
          provider: "offline",
          model: "rules",
          task: "writeSection",
          input: 0,
          output: 0,
          cost: "0",
        }),
        call(tenantA.id, "2026-04-01", {
          provider: "openai",
          model: "gpt-4o",
          task: "summarise",
          input: 5,
          output: 5,
          cost: "1",
        }),
        call(tenantB.id, "2026-03-02", {
          provider: "anthropic",
          model: "claude-haiku-4-5",
          task: "writeSection",
          input: 99,
          output: 99,
          cost: "5",
        }),
      ])
      .execute();
    await trx
      .insertInto("scans")
      .values([
        {
          tenant_id: tenantA.id,
          target_url: "https://a.example/",
          status: "succeeded",
          created_at: new Date("2026-03-01T10:00:00Z"),
        },
        {
          tenant_id: tenantA.id,
          target_url: "https://a.example/",
          status: "failed",
          created_at: new Date("2026-03-02T10:00:00Z"),
        },
        {
          tenant_id: tenantA.id,
          target_url: "https://a.example/",
          status: "succeeded",
          created_at: new Date("2026-03-03T10:00:00Z"),
        },
        {
          tenant_id: tenantB.id,
          target_url: "https://b.example/",
          status: "succeeded",
          created_at: new Date("2026-03-02T10:00:00Z"),
        },
      ])
      .execute();
  });
});
afterAll(() => bed.close());

describe("usage.summary", () => {
  it("sums calls, tokens, cost and failures per provider/model/task, per model, per task and per day, with scans by status", async () => {
    const viewer = await bed.signedInUser();
    await addTestMember(bed.database.db, tenantA.id, viewer.id, "viewer");
    const summary = await bed
      .client({ accessToken: viewer.accessToken, tenantId: tenantA.id })
      .usage.summary.query({ from: "2026-03-01", to: "2026-03-03" });
    expect(summary.from).toBe("2026-03-01T00:00:00.000Z");
    expect(summary.to).toBe("2026-03-04T00:00:00.000Z");
    expect(summary.totals).toEqual({
      calls: 4,
      inputTokens: 1300,
      outputTokens: 220,
      costUsd: 0.000327,
      failures: 1,
    });
    expect(summary.byModel).toEqual([
      {
        provider: "openai",
        model: "gpt-4o-mini",
        calls: 3,
        inputTokens: 1300,
        outputTokens: 220,
        costUsd: 0.000327,
        failures: 1,
      },
      {
        provider: "offline",
        model: "rules",
        calls: 1,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
        failures: 0,
      },
    ]);
    expect(summary.byTask).toEqual([
      { task: "writeSection", calls: 3, inputTokens: 1000, outputTokens: 200, costUsd: 0.00027, failures: 1 },
      { task: "verifyClaim", calls: 1, inputTokens: 300, outputTokens: 20, costUsd: 0.000057, failures: 0 },
    ]);
    expect(summary.breakdown).toContainEqual({
      provider: "openai",
      model: "gpt-4o-mini",
      task: "writeSection",
      calls: 2,
      inputTokens: 1000,
      outputTokens: 200,
      costUsd: 0.00027,
      failures: 1,
    });
    expect(summary.breakdown).toHaveLength(3);
    expect(summary.days.map((day) => [day.day, day.calls])).toEqual([
      ["2026-03-01", 2],
      ["2026-03-02", 0],
      ["2026-03-03", 2],
    ]);
    expect(summary.scansByStatus).toEqual([
      { status: "failed", count: 1 },
      { status: "succeeded", count: 2 },
    ]);
  });

  it("shows a tenant only its own usage and refuses non-members", async () => {
    const summary = await bed
      .client({ accessToken: owner.accessToken, tenantId: tenantA.id })
      .usage.summary.query({ from: "2026-03-02", to: "2026-03-02" });
    expect(summary.totals.calls).toBe(0);
    expect(summary.scansByStatus).toEqual([{ status: "failed", count: 1 }]);
    const stranger = await bed.signedInUser();
    await expectTrpcError(
      bed.client({ accessToken: stranger.accessToken, tenantId: tenantA.id }).usage.summary.query({}),
      "FORBIDDEN",
    );
  });

  it("defaults to the last 30 days and refuses bad ranges naming the field", async () => {
    const summary = await bed
      .client({ accessToken: owner.accessToken, tenantId: tenantA.id })
      .usage.summary.query();
    expect(summary.days.length).toBeGreaterThanOrEqual(30);
    const client = bed.client({ accessToken: owner.accessToken, tenantId: tenantA.id });
    await expectTrpcError(
      client.usage.summary.query({ from: "yesterday" }),
      "BAD_REQUEST",
      /^from: must be a date \(YYYY-MM-DD\)/,
    );
    await expectTrpcError(
      client.usage.summary.query({ from: "2026-03-05", to: "2026-03-01" }),
      "BAD_REQUEST",
      /^from: must be before to/,
    );
    await expectTrpcError(
      client.usage.summary.query({ from: "2024-01-01", to: "2026-01-01" }),
      "BAD_REQUEST",
      /^from: must be at most 366 days before to/,
    );
  });
});
