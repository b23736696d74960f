import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { startFakeLlm, type FakeLlmServer } from "@techscaniq/fixtures";
import { AiConfig, type AiConfigInput } from "../config";
import {
  AllProvidersFailedError,
  createModelRouter,
  InvalidModelAnswerError,
  type StructuredTask,
  type UsageRecord,
} from "./router";

const Answer = z.object({
  claims: z.array(z.object({ text: z.string().min(1), evidence: z.array(z.string()) })),
});
type Answer = z.infer<typeof Answer>;

const good: Answer = { claims: [{ text: "The site runs WordPress 6.4.2.", evidence: ["ev_1"] }] };

function writeTask(section = "technology_stack"): StructuredTask<Answer> {
  return {
    task: "writeSection",
    section,
    schemaName: "section",
    schema: Answer,
    system: "system prompt",
    user: `Task: writeSection\nSection: ${section}`,
    offline: () => ({ claims: [{ text: "offline", evidence: [] }] }),
  };
}

let fake: FakeLlmServer;
let usage: UsageRecord[];

beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  usage = [];
});

function config(overrides: Partial<AiConfigInput> = {}): AiConfig {
  return AiConfig.parse({
    providers: {
      openai: { kind: "openai", apiKey: "sk-test", baseURL: fake.openaiBaseUrl },
      anthropic: { kind: "anthropic", apiKey: "sk-ant-test", baseURL: fake.anthropicBaseUrl },
      local: { kind: "openai-compatible", baseURL: fake.openaiBaseUrl },
      offline: { kind: "offline" },
    },
    routes: {
      writeSection: [
        { provider: "openai", model: "gpt-4o-mini" },
        { provider: "anthropic", model: "claude-haiku-4-5" },
        { provider: "offline", model: "rules" },
      ],
      verifyClaim: [{ provider: "anthropic", model: "claude-haiku-4-5" }],
      summarise: [{ provider: "local", model: "llama3.1" }],
    },
    prices: {
      "gpt-4o-mini": { inputPerMTokUsd: 0.15, outputPerMTokUsd: 0.6 },
      "claude-haiku-4-5": { inputPerMTokUsd: 1, outputPerMTokUsd: 5 },
      "claude-sonnet-4-5": { inputPerMTokUsd: 3, outputPerMTokUsd: 15 },
    },
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 5_000 },
    timeoutMs: 2_000,
    ...overrides,
  });
}

function router(configOverrides: Partial<AiConfigInput> = {}, tenantSettings = {}) {
  return createModelRouter({
    config: config(configOverrides),
    tenantSettings,
    recordUsage: (record) => {
      usage.push(record);
    },
    tenantId: "tenant-a",
    scanId: "scan-1",
  });
}

describe("model router", () => {
  it("routes writeSection to OpenAI with a json_schema response format and meters the call", async () => {
    fake.enqueue({ json: good, inputTokens: 1200, outputTokens: 300 });
    const result = await router().run(writeTask());
    expect(result).toEqual({ value: good, provider: "openai", model: "gpt-4o-mini" });
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request!.api).toBe("openai");
    expect(request!.body.response_format).toMatchObject({
      type: "json_schema",
      json_schema: { name: "section" },
    });
    expect(usage).toEqual([
      expect.objectContaining({
        tenantId: "tenant-a",
        scanId: "scan-1",
        task: "writeSection",
        section: "technology_stack",
        provider: "openai",
        model: "gpt-4o-mini",
        inputTokens: 1200,
        outputTokens: 300,
        costUsd: (1200 * 0.15 + 300 * 0.6) / 1_000_000,
        priced: true,
        outcome: "ok",
      }),
    ]);
  });

  it("routes verifyClaim to Anthropic with a forced tool call", async () => {
    fake.enqueue({ json: good, inputTokens: 50, outputTokens: 20 });
    const result = await router().run({ ...writeTask(), task: "verifyClaim" });
    expect(result.provider).toBe("anthropic");
    const body = fake.requests[0]!.body;
    expect(fake.requests[0]!.api).toBe("anthropic");
    expect(body.tool_choice).toEqual({ type: "tool", name: "section" });
    expect(body.system).toBe("system prompt");
    expect(usage[0]).toMatchObject({ provider: "anthropic", costUsd: (50 * 1 + 20 * 5) / 1_000_000 });
  });

  it("routes to an OpenAI-compatible local server and marks unpriced models", async () => {
    fake.enqueue({ json: good });
    const result = await router().run({ ...writeTask(), task: "summarise" });
    expect(result.provider).toBe("local");
    expect(fake.requests[0]!.model).toBe("llama3.1");
    expect(usage[0]).toMatchObject({ provider: "local", priced: false, costUsd: 0 });
  });

  it("honours per-tenant routes and disabled providers", async () => {
    fake.enqueue({ json: good });
    const tenantRouter = router(
      {},
      { routes: { writeSection: [{ provider: "anthropic", model: "claude-sonnet-4-5" }] } },
    );
    expect((await tenantRouter.run(writeTask())).provider).toBe("anthropic");
    expect(fake.requests[0]!.model).toBe("claude-sonnet-4-5");

    const offlineOnly = router({}, { disabledProviders: ["openai", "anthropic"] });
    expect(offlineOnly.hasModel("writeSection")).toBe(false);
    expect((await offlineOnly.run(writeTask())).provider).toBe("offline");
    expect(fake.requests).toHaveLength(1);
  });

  it("rejects a tenant route to an unconfigured provider", () => {
    expect(() => router({}, { routes: { writeSection: [{ provider: "mistral", model: "x" }] } })).toThrow(
      /mistral.*not configured/,
    );
  });

  it("retries a 429 after the retry-after the provider asked for, with the SDK's own retries off", async () => {
    fake.enqueue({ status: 429, retryAfterSeconds: 1 }, { json: good });
    const result = await router().run(writeTask());
    expect(result.provider).toBe("openai");
    expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(usage.map((u) => [u.outcome, u.retryDelayMs])).toEqual([
      ["rate_limited", 1000],
      ["ok", null],
    ]);
  });

  it("retries 500s with backoff, then falls back to the next provider", async () => {
    fake.when((r) => r.api === "openai", { status: 500 });
    fake.enqueue({ json: good });
    const result = await router().run(writeTask());
    expect(result.provider).toBe("anthropic");
    expect(fake.requests.map((r) => `${r.api}:${r.status}`)).toEqual([
      "openai:500",
      "openai:500",
      "openai:500",
      "anthropic:200",
    ]);
    expect(usage.map((u) => u.outcome)).toEqual(["server_error", "server_error", "server_error", "ok"]);
    expect(usage[2]!.retryDelayMs).toBeNull();
  });

  it("moves on without waiting when retry-after is longer than the configured maximum", async () => {
    fake.enqueue({ status: 429, retryAfterSeconds: 3600 }, { json: good });
    const result = await router().run(writeTask());
    expect(result.provider).toBe("anthropic");
    expect(fake.requests.map((r) => r.api)).toEqual(["openai", "anthropic"]);
  });

  it("times out a slow answer, retries it, and falls back to the offline analyst when all else fails", async () => {
    fake.setDefault(() => ({ json: good, delayMs: 5_000 }));
    const result = await router({
      timeoutMs: 300,
      retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 100 },
    }).run(writeTask());
    expect(result).toEqual({
      value: { claims: [{ text: "offline", evidence: [] }] },
      provider: "offline",
      model: "rules",
    });
    expect(usage.map((u) => `${u.provider}:${u.outcome}`)).toEqual([
      "openai:timeout",
      "openai:timeout",
      "anthropic:timeout",
      "anthropic:timeout",
      "offline:ok",
    ]);
  });

  it("does not fall back on a client error such as 401 without retrying it", async () => {
    fake.enqueue({ status: 401, message: "bad key" }, { status: 400 });
    const error = await router({}, {})
      .run({ ...writeTask(), offline: undefined })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllProvidersFailedError);
    expect(String((error as Error).message)).toMatch(
      /openai\/gpt-4o-mini: client_error \(HTTP 401 refused the request\).*anthropic\/claude-haiku-4-5: client_error \(HTTP 400/,
    );
    expect(fake.requests).toHaveLength(2);
  });

  it("feeds a validation error back once and accepts the corrected answer", async () => {
    fake.enqueue({ json: { claims: [{ text: "" }] } }, { json: good });
    const result = await router().run(writeTask());
    expect(result.value).toEqual(good);
    const retry = fake.requests[1]!.body.messages as { role: string; content: string }[];
    expect(retry.at(-2)).toMatchObject({
      role: "assistant",
      content: JSON.stringify({ claims: [{ text: "" }] }),
    });
    expect(retry.at(-1)!.content).toMatch(/does not match the required structure[\s\S]*evidence/);
    expect(usage.map((u) => u.outcome)).toEqual(["invalid_answer", "ok"]);
  });

  it("fails the task clearly after a second invalid answer, with no fallback and nothing half-parsed", async () => {
    fake.enqueue({ json: { claims: "none" } }, { text: "I cannot answer in JSON" });
    const error = await router()
      .run(writeTask())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidModelAnswerError);
    expect((error as Error).message).toMatch(
      /writeSection \(technology_stack\): openai\/gpt-4o-mini gave an invalid answer twice/,
    );
    expect(fake.requests).toHaveLength(2);
    expect(usage.map((u) => u.outcome)).toEqual(["invalid_answer", "invalid_answer"]);
  });

  it("refuses a call that would exceed the report's token budget and says so", async () => {
    const small = router({ reportTokenBudget: 100, maxOutputTokens: 500 });
    const result = await small.run(writeTask());
    expect(result.provider).toBe("offline");
    expect(fake.requests).toHaveLength(0);
    expect(usage[0]).toMatchObject({ outcome: "budget_refused", provider: "openai" });
    expect(usage[0]!.error).toMatch(
      /token budget: this call needs up to \d+ tokens but only 100 of 100 remain/,
    );

    const error = await small.run({ ...writeTask(), offline: undefined }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/every provider failed.*token budget/);
  });

  it("counts tokens against the budget across calls", async () => {
    fake.setDefault(() => ({ json: good, inputTokens: 700, outputTokens: 100 }));
    const limited = router({ reportTokenBudget: 1_500, maxOutputTokens: 100 });
    await limited.run(writeTask("a"));
    expect(limited.tokensUsed()).toBe(800);
    const second = await limited.run(writeTask("b"));
    expect(limited.tokensUsed()).toBe(1600);
    expect(second.provider).toBe("openai");
    const third = await limited.run(writeTask("c"));
    expect(third.provider).toBe("offline");
  });

  it("stops at once when the caller aborts, without retrying or falling back", async () => {
    fake.setDefault(() => ({ json: good, delayMs: 5_000 }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("worker stopping")), 100);
    await expect(router().run(writeTask(), controller.signal)).rejects.toThrow();
    expect(usage.map((u) => u.outcome)).toEqual(["aborted"]);
  });
});

describe("trust: AI provider base URL is an SSRF path (router side)", () => {
  it("keeps a provider's error body out of usage rows and task errors: status and a short reason only", async () => {
    const body = "account acme-corp over quota; prompt was: SECRET-PROMPT-ECHO";
    // Answer by API rather than by queue: a straggler from an earlier test must not take a scripted reply.
    fake.setDefault((request) => ({ status: request.api === "openai" ? 403 : 503, message: body }));
    const error = await router({ retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 100 } })
      .run({ ...writeTask(), offline: undefined })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllProvidersFailedError);
    expect(usage.map((u) => u.error)).toEqual(["HTTP 403 refused the request", "HTTP 503 server error"]);
    expect(JSON.stringify(usage) + String((error as Error).message)).not.toMatch(/SECRET|acme-corp/);
  });

  it("sends every provider request through the injected fetch", async () => {
    fake.enqueue({ json: good });
    const seen: string[] = [];
    const counting: typeof fetch = (input, init) => {
      seen.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    const result = await createModelRouter({
      config: config(),
      recordUsage: () => undefined,
      tenantId: "tenant-a",
      scanId: "scan-1",
      fetchFor: () => counting,
    }).run(writeTask());
    expect(result.provider).toBe("openai");
    expect(seen).toEqual([`${fake.openaiBaseUrl}/chat/completions`]);
  });
});

describe("trust: a tenant can spend the operator's AI budget without limit (router side)", () => {
  it("refuses a model without a known price on the operator's key instead of metering it at $0", async () => {
    fake.enqueue({ json: good });
    const unpriced = router(
      {},
      {
        routes: {
          writeSection: [
            { provider: "openai", model: "gpt-unpriced" },
            { provider: "offline", model: "rules" },
          ],
        },
      },
    );
    expect((await unpriced.run(writeTask())).provider).toBe("offline");
    expect(fake.requests).toHaveLength(0);
    expect(usage[0]).toMatchObject({
      provider: "openai",
      model: "gpt-unpriced",
      outcome: "budget_refused",
      error: expect.stringMatching(/no known price/),
    });
  });

  it("still runs an unpriced model on a tenant's own key, flagged unpriced", async () => {
    fake.enqueue({ json: good });
    const own = config();
    own.providers.openai = {
      kind: "openai",
      apiKey: "sk-tenant",
      baseURL: fake.openaiBaseUrl,
      operatorBilled: false,
    };
    const result = await createModelRouter({
      config: own,
      tenantSettings: { routes: { writeSection: [{ provider: "openai", model: "gpt-unpriced" }] } },
      recordUsage: (record) => {
        usage.push(record);
      },
      tenantId: "tenant-a",
      scanId: "scan-1",
    }).run(writeTask());
    expect(result.provider).toBe("openai");
    expect(usage[0]).toMatchObject({ outcome: "ok", priced: false, costUsd: 0 });
  });
});
