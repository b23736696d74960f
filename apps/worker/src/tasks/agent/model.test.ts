import { AiConfig, DEFAULT_PRICES, TASKS } from "@techscaniq/ai";
import { agentCallCost } from "@techscaniq/ai/agents";
import { buildAgentPrompt, type AgentSpecInput } from "@techscaniq/contracts/agents";
import { withRlsTx, withServiceTx } from "@techscaniq/db";
import {
  claimsFor,
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { startFakeLlm, type FakeLlmServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkpointerFor, closeReportCheckpointers } from "../report/generate";
import { providerFetchFor } from "../report/provider-fetch";
import { executeAgentRun, type AgentRunSettings } from "./run";
import { loadRun, stepsOf } from "./store";
import {
  createPublishedAgent,
  decideApproval,
  eventually,
  requestCancel,
  runRow,
  triggerRun,
  type TestMember,
} from "../../testing/agent";

let database: TestDatabase;
let fake: FakeLlmServer;
let member: TestMember;
let scanId: string;

const MODELS = { openai: "gpt-4o-mini", anthropic: "claude-haiku-4-5" } as const;
type Vendor = keyof typeof MODELS;

function settingsFor(vendor: Vendor): AgentRunSettings {
  const aiConfig = AiConfig.parse({
    providers: {
      openai: { kind: "openai", apiKey: "sk-test", baseURL: fake.openaiBaseUrl },
      anthropic: { kind: "anthropic", apiKey: "sk-ant-test", baseURL: fake.anthropicBaseUrl },
      offline: { kind: "offline" },
    },
    routes: Object.fromEntries(TASKS.map((task) => [task, [{ provider: vendor, model: MODELS[vendor] }]])),
    prices: DEFAULT_PRICES,
    maxOutputTokens: 500,
    timeoutMs: 60_000,
  });
  return {
    db: database.db,
    connectionString: database.url,
    aiConfig,
    providerFetch: providerFetchFor(true),
    allowPrivate: "loopback",
    toolWaitMs: 5_000,
    cancelPollMs: 100,
  };
}

/** These runs use no tool that waits for the pipeline, so nothing is queued again. */
const noRequeue = {
  requeue: () => Promise.reject(new Error("a model test run asked to be queued again")),
};

const READER: AgentSpecInput = {
  instructions: "Read the scan's findings and summarise the technology.",
  inputSchema: { type: "object", properties: { scanId: { type: "string" } }, required: ["scanId"] },
  tools: ["read_findings", "search_evidence", "compare_scans"],
};

beforeAll(async () => {
  database = await createTestDatabase();
  fake = await startFakeLlm();
  const user = await createTestUser(database.db);
  member = { tenantId: (await createTestTenant(database.db, user.id)).id, userId: user.id };
  scanId = await withServiceTx(database.db, async (tx) => {
    const scan = await tx
      .insertInto("scans")
      .values({ tenant_id: member.tenantId, target_url: "https://example.com/", status: "succeeded" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await tx
      .insertInto("findings")
      .values({
        tenant_id: member.tenantId,
        scan_id: scan.id,
        kind: "technology",
        finding_key: "wordpress",
        name: "WordPress",
        version: "6.4.2",
        category: "CMS",
        confidence: 100,
        severity: null,
        evidence_ids: ["ev-generator"],
      })
      .execute();
    return scan.id;
  });
});

afterAll(async () => {
  await closeReportCheckpointers();
  await fake?.close();
  await database?.drop();
});

beforeEach(() => fake.reset());

describe("agents: model runner (real SDKs against the fake provider)", { timeout: 120_000 }, () => {
  for (const vendor of ["openai", "anthropic"] as const) {
    it(`agents: prompt preview is byte-equal to the first model call's stored messages (${vendor})`, async () => {
      const agentId = await createPublishedAgent(database.db, member, READER);
      const input = { scanId };
      const runId = await triggerRun(database.db, member, agentId, input);
      fake.enqueue(
        { toolCalls: [{ name: "read_findings", arguments: { scanId } }], inputTokens: 800, outputTokens: 20 },
        { text: "WordPress 6.4.2 runs the site [ev-generator].", inputTokens: 1000, outputTokens: 15 },
      );
      const started = performance.now();
      expect(await executeAgentRun(settingsFor(vendor), runId, noRequeue)).toBe("succeeded");
      const seconds = (performance.now() - started) / 1000;

      const { spec, agentName } = (await loadRun(database.db, runId))!;
      const preview = buildAgentPrompt({ name: agentName, version: 1, spec }, input);
      const steps = await stepsOf(database.db, runId);
      expect(steps.map((step) => `${step.kind} ${step.name} ${step.status}`)).toEqual([
        `model_call ${vendor}/${MODELS[vendor]} ok`,
        "tool_call read_findings ok",
        `model_call ${vendor}/${MODELS[vendor]} ok`,
      ]);
      const first = steps[0]!.request as { messages: unknown[]; tools: { name: string }[] };
      expect(JSON.stringify(first.messages)).toBe(JSON.stringify(preview.messages));
      expect(first.tools.map((tool) => tool.name)).toEqual([
        "read_findings",
        "search_evidence",
        "compare_scans",
      ]);
      // The vendor received the same system prompt and the tool's result on the second call.
      const sent = fake.requests[0]!.body;
      const system = vendor === "openai" ? (sent.messages as { content: string }[])[0]!.content : sent.system;
      expect(system).toBe(preview.messages[0]!.content);
      expect(fake.requests[1]!.text).toContain('"name":"WordPress"');
      // Every tool reaches the vendor as an object schema (compare_scans' union too), without $schema.
      const schemas = (sent.tools as Record<string, Record<string, unknown>>[]).map((tool) =>
        vendor === "openai"
          ? (tool.function as Record<string, Record<string, unknown>>).parameters!
          : tool.input_schema!,
      );
      for (const schema of schemas) expect(schema).toMatchObject({ type: "object" });
      for (const schema of schemas) expect(schema).not.toHaveProperty("$schema");

      const run = await runRow(database.db, runId);
      expect(run.input_tokens).toBe(1800);
      expect(run.output_tokens).toBe(35);
      const cost = agentCallCost(DEFAULT_PRICES, MODELS[vendor], 1800, 35);
      expect(Number(run.cost_usd)).toBeCloseTo(cost, 6);
      expect(run.price_table_version).toMatch(/^prices-/);
      expect((run.output as { summary: string }).summary).toBe(
        "WordPress 6.4.2 runs the site [ev-generator].",
      );
      console.log(
        `model run (${vendor}, fake provider): ${seconds.toFixed(2)} s, ` +
          `${run.input_tokens}+${run.output_tokens} tokens, $${Number(run.cost_usd).toFixed(6)}`,
      );
    });
  }

  it("agents: a run ends budget_exceeded before a call that could pass its budget, keeping what it has", async () => {
    const agentId = await createPublishedAgent(database.db, member, {
      ...READER,
      budget: { maxTokens: 6_000, maxUsd: 1 },
    });
    const runId = await triggerRun(database.db, member, agentId, { scanId });
    fake.enqueue({ toolCalls: [{ name: "read_findings", arguments: { scanId } }], inputTokens: 5_500 });
    expect(await executeAgentRun(settingsFor("openai"), runId, noRequeue)).toBe("budget_exceeded");
    expect(fake.requests).toHaveLength(1);
    const steps = await stepsOf(database.db, runId);
    expect(steps.map((step) => `${step.kind} ${step.status}`)).toEqual(["model_call ok", "tool_call ok"]);
    const run = await runRow(database.db, runId);
    expect(run.status).toBe("budget_exceeded");
    expect(run.input_tokens).toBe(5_500);
    expect((run.output as { results: { tool: string }[] }).results.map((result) => result.tool)).toEqual([
      "read_findings",
    ]);
  });

  it("agents: cancel aborts the in-flight model call; the run ends cancelled and no step starts afterwards", async () => {
    const agentId = await createPublishedAgent(database.db, member, READER);
    const runId = await triggerRun(database.db, member, agentId, { scanId });
    // A model that would answer in 10 minutes, with a tool call that must never run.
    fake.enqueue({ toolCalls: [{ name: "read_findings", arguments: { scanId } }], delayMs: 600_000 });
    const running = executeAgentRun(settingsFor("anthropic"), runId, noRequeue);
    await eventually(
      async () => (await stepsOf(database.db, runId))[0]?.status === "running",
      "the first model step to start",
    );
    await eventually(async () => fake.requests.length === 1, "the slow model call to reach the fake server");
    await requestCancel(database.db, member, runId);
    // Bounded by this test's timeout: the abort reaches the SDK's request, so the call ends now.
    expect(await running).toBe("cancelled");
    expect(fake.requests[0]!.status).toBe(0);
    const steps = await stepsOf(database.db, runId);
    expect(steps.map((step) => `${step.kind} ${step.status}`)).toEqual(["model_call cancelled"]);
    const run = await runRow(database.db, runId);
    expect(run.status).toBe("cancelled");
    // A re-delivered job finds the run ended and starts nothing.
    expect(await executeAgentRun(settingsFor("anthropic"), runId, noRequeue)).toBe("cancelled");
    expect(await stepsOf(database.db, runId)).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
  });

  it("agents: a model run waits for approval before an action and resumes from its checkpoint", async () => {
    const agentId = await createPublishedAgent(database.db, member, {
      ...READER,
      tools: ["read_findings", "propose_action"],
      outputs: { actions: ["issue.create"] },
      autonomy: "approve",
    });
    const runId = await triggerRun(database.db, member, agentId, { scanId });
    const proposal = { action: "issue.create", title: "Old WordPress", body: "Upgrade 6.4.2" };
    fake.enqueue(
      {
        toolCalls: [
          { name: "read_findings", arguments: { scanId } },
          { name: "propose_action", arguments: proposal },
        ],
      },
      { text: "Proposed an upgrade issue." },
    );
    const settings = settingsFor("openai");
    expect(await executeAgentRun(settings, runId, noRequeue)).toBe("waiting_approval");
    expect((await stepsOf(database.db, runId)).map((step) => `${step.kind} ${step.status}`)).toEqual([
      "model_call ok",
      "tool_call ok",
      "approval waiting",
    ]);
    const saver = await checkpointerFor(database.url);
    expect(await saver.getTuple({ configurable: { thread_id: runId } })).toBeDefined();

    await decideApproval(database.db, member, runId, true, "go ahead");
    expect((await runRow(database.db, runId)).status).toBe("queued");
    expect(await executeAgentRun(settings, runId, noRequeue)).toBe("succeeded");
    // The first model call and the finished tool call were not made again.
    expect(fake.requests).toHaveLength(2);
    expect((await stepsOf(database.db, runId)).map((step) => `${step.kind} ${step.status}`)).toEqual([
      "model_call ok",
      "tool_call ok",
      "approval approved",
      "tool_call ok",
      "model_call ok",
    ]);
    const run = await runRow(database.db, runId);
    expect((run.output as { actions: unknown[] }).actions).toEqual([{ ...proposal, state: "approved" }]);
    expect(fake.requests[1]!.text).toContain('"state":"approved"');
  });

  it("agents: a run stops at its step limit, and its retry (retry_of) runs the same version afresh", async () => {
    const agentId = await createPublishedAgent(database.db, member, { ...READER, maxSteps: 1 });
    const runId = await triggerRun(database.db, member, agentId, { scanId });
    fake.enqueue({ toolCalls: [{ name: "read_findings", arguments: { scanId } }] });
    expect(await executeAgentRun(settingsFor("openai"), runId, noRequeue)).toBe("failed");
    const stopped = await runRow(database.db, runId);
    expect(stopped.error_message).toBe("the run reached its step limit of 1 model calls");
    expect((stopped.output as { results: unknown[] }).results).toHaveLength(1);

    const retryId = await triggerRun(database.db, member, agentId, { scanId }, runId);
    fake.enqueue({ text: "Nothing to call this time." });
    expect(await executeAgentRun(settingsFor("openai"), retryId, noRequeue)).toBe("succeeded");
    const retry = await runRow(database.db, retryId);
    expect(retry).toMatchObject({ retry_of: runId, agent_version: 1 });
    expect((await stepsOf(database.db, retryId)).map((step) => step.kind)).toEqual(["model_call"]);
  });

  it("agents: cancelling a run that waits for approval ends it cancelled without the action", async () => {
    const agentId = await createPublishedAgent(database.db, member, {
      ...READER,
      tools: ["propose_action"],
      outputs: { actions: ["issue.create"] },
      autonomy: "approve",
    });
    const runId = await triggerRun(database.db, member, agentId, { scanId });
    fake.enqueue({
      toolCalls: [{ name: "propose_action", arguments: { action: "issue.create", title: "t", body: "b" } }],
    });
    expect(await executeAgentRun(settingsFor("openai"), runId, noRequeue)).toBe("waiting_approval");
    await requestCancel(database.db, member, runId);
    // The job the cancel queues (agent-api) finds the run waiting and ends it.
    expect(await executeAgentRun(settingsFor("openai"), runId, noRequeue)).toBe("cancelled");
    expect((await stepsOf(database.db, runId)).map((step) => `${step.kind} ${step.status}`)).toEqual([
      "model_call ok",
      "approval cancelled",
    ]);
    expect((await runRow(database.db, runId)).output).toMatchObject({ actions: [] });
    expect(fake.requests).toHaveLength(1);
  });
});

describe("agents: model calls are metered into ai_usage", { timeout: 120_000 }, () => {
  it("each model step of a run leaves one ai_usage row; they sum to the run's tokens and cost, for its tenant only", async () => {
    const agentId = await createPublishedAgent(database.db, member, READER);
    const runId = await triggerRun(database.db, member, agentId, { scanId });
    fake.enqueue(
      { toolCalls: [{ name: "read_findings", arguments: { scanId } }], inputTokens: 700, outputTokens: 30 },
      { text: "WordPress 6.4.2 [ev-generator].", inputTokens: 900, outputTokens: 12 },
    );
    expect(await executeAgentRun(settingsFor("openai"), runId, noRequeue)).toBe("succeeded");
    // A re-delivered job replays the finished steps and meters nothing again.
    expect(await executeAgentRun(settingsFor("openai"), runId, noRequeue)).toBe("succeeded");

    const readAs = (userId: string) =>
      withRlsTx(database.db, claimsFor(userId), (tx) =>
        tx.selectFrom("ai_usage").selectAll().where("agent_run_id", "=", runId).orderBy("id").execute(),
      );
    const rows = await readAs(member.userId);
    expect(
      rows.map((row) => [row.tenant_id, row.task, row.provider, row.model, row.outcome, row.priced]),
    ).toEqual([
      [member.tenantId, "runAgent", "openai", MODELS.openai, "ok", true],
      [member.tenantId, "runAgent", "openai", MODELS.openai, "ok", true],
    ]);
    expect(rows.map((row) => [row.input_tokens, row.output_tokens])).toEqual([
      [700, 30],
      [900, 12],
    ]);
    for (const row of rows) expect(row.latency_ms).toBeGreaterThanOrEqual(0);
    const run = await runRow(database.db, runId);
    expect(rows.reduce((sum, row) => sum + row.input_tokens, 0)).toBe(run.input_tokens);
    expect(rows.reduce((sum, row) => sum + row.output_tokens, 0)).toBe(run.output_tokens);
    const cost = rows.reduce((sum, row) => sum + Number(row.cost_usd), 0);
    expect(cost).toBeCloseTo(Number(run.cost_usd), 6);
    expect(cost).toBeGreaterThan(0);

    // A member of another tenant sees none of them.
    const stranger = await createTestUser(database.db);
    await createTestTenant(database.db, stranger.id);
    expect(await readAs(stranger.id)).toEqual([]);
  });

  it("a failed model call is metered with its failure kind and error", async () => {
    const agentId = await createPublishedAgent(database.db, member, READER);
    const runId = await triggerRun(database.db, member, agentId, { scanId });
    fake.enqueue({ status: 400, message: "bad request from the fake" });
    expect(await executeAgentRun(settingsFor("openai"), runId, noRequeue)).toBe("failed");
    const rows = await withServiceTx(database.db, (tx) =>
      tx.selectFrom("ai_usage").selectAll().where("agent_run_id", "=", runId).execute(),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ task: "runAgent", input_tokens: 0, cost_usd: "0.000000" });
    expect(rows[0]!.outcome).not.toBe("ok");
    expect(rows[0]!.error).toBeTruthy();
  });
});
