import { describe, expect, it } from "vitest";
import { AiConfig, DEFAULT_PRICES, TASKS, type OperatorAiPolicy } from "./config";
import { tenantAiConfig } from "./tenant";

const defaults = { openai: "gpt-4o-mini", anthropic: "claude-haiku-4-5", local: "llama3.1" };
const offlineOnly = AiConfig.parse({
  providers: { offline: { kind: "offline" } },
  routes: Object.fromEntries(TASKS.map((task) => [task, [{ provider: "offline", model: "rules" }]])),
});
const withOperatorKey = AiConfig.parse({
  providers: { openai: { kind: "openai", apiKey: "sk-operator" }, offline: { kind: "offline" } },
  routes: Object.fromEntries(
    TASKS.map((task) => [
      task,
      [
        { provider: "openai", model: "gpt-4o" },
        { provider: "offline", model: "rules" },
      ],
    ]),
  ),
});
const policy: OperatorAiPolicy = {
  allowedModels: ["gpt-4o-mini", "gpt-4o", "claude-haiku-4-5", "llama3.1"],
  maxReportTokenBudget: 200_000,
  prices: DEFAULT_PRICES,
};
const empty = { taskProviders: {}, disabledProviders: [], reportTokenBudget: null, providers: {} };

describe("tenantAiConfig", () => {
  it("puts a tenant's own key first in every chain, with its model and base URL", () => {
    const { config, tenantSettings } = tenantAiConfig(
      offlineOnly,
      {
        ...empty,
        providers: {
          openai: { apiKey: "sk-tenant", baseUrl: "http://127.0.0.1:9/v1", model: "gpt-4.1-mini" },
        },
      },
      defaults,
      policy,
    );
    expect(config.providers.openai).toEqual({
      kind: "openai",
      apiKey: "sk-tenant",
      baseURL: "http://127.0.0.1:9/v1",
      operatorBilled: false,
      tenantUrl: true,
    });
    expect(tenantSettings.routes?.writeSection).toEqual([
      { provider: "openai", model: "gpt-4.1-mini" },
      { provider: "offline", model: "rules" },
    ]);
  });

  it("never sends the deployment's key to a tenant's base URL", () => {
    const { config } = tenantAiConfig(
      withOperatorKey,
      { ...empty, providers: { openai: { baseUrl: "https://attacker.example/v1" } } },
      defaults,
      policy,
    );
    expect(config.providers.openai).toEqual({ kind: "openai", apiKey: "sk-operator" });
  });

  it("follows the tenant's per-task choice, skips unconfigured providers, passes budget and disabled providers", () => {
    const { tenantSettings } = tenantAiConfig(
      withOperatorKey,
      {
        taskProviders: { verifyClaim: ["anthropic", "offline"] },
        disabledProviders: ["openai"],
        reportTokenBudget: 50_000,
        providers: { openai: { model: "gpt-4o-mini" } },
      },
      defaults,
      policy,
    );
    expect(tenantSettings.routes?.verifyClaim).toEqual([{ provider: "offline", model: "rules" }]);
    expect(tenantSettings.routes?.writeSection).toEqual([
      { provider: "openai", model: "gpt-4o-mini" },
      { provider: "offline", model: "rules" },
    ]);
    expect(tenantSettings.disabledProviders).toEqual(["openai"]);
    expect(tenantSettings.reportTokenBudget).toBe(50_000);
  });

  it("uses a tenant's OpenAI-compatible server by base URL, with or without a key", () => {
    const { config, tenantSettings } = tenantAiConfig(
      offlineOnly,
      { ...empty, providers: { local: { baseUrl: "http://10.0.0.5:8000/v1" } } },
      defaults,
      policy,
    );
    expect(config.providers.local).toEqual({
      kind: "openai-compatible",
      baseURL: "http://10.0.0.5:8000/v1",
      apiKey: undefined,
      tenantUrl: true,
    });
    expect(tenantSettings.routes?.summarise?.[0]).toEqual({ provider: "local", model: "llama3.1" });
  });
});

describe("trust: any tenant admin can use another tenant's operator-provided AI key", () => {
  const assigned = { apiKey: "sk-assigned-to-tenant", baseUrl: "https://gateway.operator.example/v1" };

  it("sends an operator-assigned key only to the operator's base URL, never to the tenant's", () => {
    const { config, tenantSettings } = tenantAiConfig(
      offlineOnly,
      { ...empty, providers: { openai: { operatorKey: assigned, baseUrl: "https://attacker.example/v1" } } },
      defaults,
      policy,
    );
    expect(config.providers.openai).toEqual({
      kind: "openai",
      apiKey: "sk-assigned-to-tenant",
      baseURL: "https://gateway.operator.example/v1",
    });
    expect(tenantSettings.routes?.writeSection?.[0]).toEqual({ provider: "openai", model: "gpt-4o-mini" });
  });

  it("sends an assigned key without an operator base URL to the official API", () => {
    const { config } = tenantAiConfig(
      offlineOnly,
      {
        ...empty,
        providers: {
          anthropic: {
            operatorKey: { apiKey: "sk-ant-assigned", baseUrl: null },
            baseUrl: "https://attacker.example",
          },
        },
      },
      defaults,
      policy,
    );
    expect(config.providers.anthropic).toEqual({ kind: "anthropic", apiKey: "sk-ant-assigned" });
  });

  it("prefers the tenant's own key (to the tenant's base URL) over an assigned one", () => {
    const { config } = tenantAiConfig(
      offlineOnly,
      {
        ...empty,
        providers: {
          openai: { apiKey: "sk-own", baseUrl: "https://proxy.tenant.example/v1", operatorKey: assigned },
        },
      },
      defaults,
      policy,
    );
    expect(config.providers.openai).toMatchObject({
      apiKey: "sk-own",
      baseURL: "https://proxy.tenant.example/v1",
      operatorBilled: false,
    });
  });
});

describe("trust: a tenant can spend the operator's AI budget without limit", () => {
  it("refuses a model off the operator's allowlist on the deployment's key, naming the rule", () => {
    expect(() =>
      tenantAiConfig(
        withOperatorKey,
        { ...empty, providers: { openai: { model: "o1-pro" } } },
        defaults,
        policy,
      ),
    ).toThrow(/model "o1-pro" is not one the operator allows on the deployment's openai access/);
  });

  it("refuses an allowlisted model without a known price on the operator's key", () => {
    const loose = { ...policy, allowedModels: [...policy.allowedModels, "gpt-unpriced"] };
    expect(() =>
      tenantAiConfig(
        withOperatorKey,
        { ...empty, providers: { openai: { model: "gpt-unpriced" } } },
        defaults,
        loose,
      ),
    ).toThrow(/no known price/);
  });

  it("applies the allowlist to operator-assigned keys too, but not to the tenant's own key", () => {
    const assigned = { apiKey: "sk-assigned", baseUrl: null };
    expect(() =>
      tenantAiConfig(
        offlineOnly,
        { ...empty, providers: { openai: { model: "o1-pro", operatorKey: assigned } } },
        defaults,
        policy,
      ),
    ).toThrow(/o1-pro/);
    const own = tenantAiConfig(
      offlineOnly,
      { ...empty, providers: { openai: { model: "o1-pro", apiKey: "sk-own" } } },
      defaults,
      policy,
    );
    expect(own.tenantSettings.routes?.writeSection?.[0]).toEqual({ provider: "openai", model: "o1-pro" });
  });

  it("never lets a stored budget exceed the operator's cap", () => {
    const { tenantSettings } = tenantAiConfig(
      withOperatorKey,
      { ...empty, reportTokenBudget: 5_000_000 },
      defaults,
      policy,
    );
    expect(tenantSettings.reportTokenBudget).toBe(200_000);
  });
});
