import { describe, expect, it } from "vitest";
import { AiConfig, TASKS } from "./config";
import { tenantAiConfig } from "./tenant";

const defaults = { openai: "gpt-4o-mini", anthropic: "claude-haiku-4-5", local: "llama3.1" };
const offlineOnly = AiConfig.parse({
  providers: { offline: { kind: "offline" } },
  routes: Object.fromEntries(TASKS.map((task) => [task, [{ provider: "offline", model: "rules" }]])),
});
const withOperatorKey = AiConfig.parse({
  providers: { openai: { kind: "openai", apiKey: "sk-operator" }, offline: { kind: "offline" } },
  routes: Object.fromEntries(TASKS.map((task) => [task, [{ provider: "openai", model: "gpt-4o" }, { provider: "offline", model: "rules" }]])),
});
const empty = { taskProviders: {}, disabledProviders: [], reportTokenBudget: null, providers: {} };

describe("tenantAiConfig", () => {
  it("puts a tenant's own key first in every chain, with its model and base URL", () => {
    const { config, tenantSettings } = tenantAiConfig(offlineOnly, { ...empty, providers: { openai: { apiKey: "sk-tenant", baseUrl: "http://127.0.0.1:9/v1", model: "gpt-4.1-mini" } } }, defaults);
    expect(config.providers.openai).toEqual({ kind: "openai", apiKey: "sk-tenant", baseURL: "http://127.0.0.1:9/v1" });
    expect(tenantSettings.routes?.writeSection).toEqual([{ provider: "openai", model: "gpt-4.1-mini" }, { provider: "offline", model: "rules" }]);
  });

  it("never sends the deployment's key to a tenant's base URL", () => {
    const { config } = tenantAiConfig(withOperatorKey, { ...empty, providers: { openai: { baseUrl: "https://attacker.example/v1" } } }, defaults);
    expect(config.providers.openai).toEqual({ kind: "openai", apiKey: "sk-operator" });
  });

  it("follows the tenant's per-task choice, skips unconfigured providers, passes budget and disabled providers", () => {
    const { tenantSettings } = tenantAiConfig(
      withOperatorKey,
      { taskProviders: { verifyClaim: ["anthropic", "offline"] }, disabledProviders: ["openai"], reportTokenBudget: 50_000, providers: { openai: { model: "gpt-4o-mini" } } },
      defaults,
    );
    expect(tenantSettings.routes?.verifyClaim).toEqual([{ provider: "offline", model: "rules" }]);
    expect(tenantSettings.routes?.writeSection).toEqual([{ provider: "openai", model: "gpt-4o-mini" }, { provider: "offline", model: "rules" }]);
    expect(tenantSettings.disabledProviders).toEqual(["openai"]);
    expect(tenantSettings.reportTokenBudget).toBe(50_000);
  });

  it("uses a tenant's OpenAI-compatible server by base URL, with or without a key", () => {
    const { config, tenantSettings } = tenantAiConfig(offlineOnly, { ...empty, providers: { local: { baseUrl: "http://10.0.0.5:8000/v1" } } }, defaults);
    expect(config.providers.local).toEqual({ kind: "openai-compatible", baseURL: "http://10.0.0.5:8000/v1", apiKey: undefined });
    expect(tenantSettings.routes?.summarise?.[0]).toEqual({ provider: "local", model: "llama3.1" });
  });
});
