import { describe, expect, it } from "vitest";
import { loadAiEnv } from "./env";
import { AiConfig, defaultAiConfig, operatorAiPolicy, operatorModelRefusal, TASKS } from "./index";

const base = loadAiEnv({});

describe("defaultAiConfig", () => {
  it("routes every task to the offline analyst when no key is set", () => {
    const config = defaultAiConfig(base);
    expect(Object.keys(config.providers)).toEqual(["offline"]);
    for (const task of TASKS) expect(config.routes[task]).toEqual([{ provider: "offline", model: "rules" }]);
  });

  it("puts every configured vendor before the offline analyst", () => {
    const config = defaultAiConfig({
      ...base,
      OPENAI_API_KEY: "sk",
      ANTHROPIC_API_KEY: "ak",
      TECHSCANIQ_LOCAL_LLM_URL: "http://127.0.0.1:11434/v1",
    });
    expect(config.routes.writeSection!.map((step) => step.provider)).toEqual([
      "openai",
      "anthropic",
      "local",
      "offline",
    ]);
  });

  it("names a route to an unconfigured provider in the error", () => {
    const result = AiConfig.safeParse({
      providers: { offline: { kind: "offline" } },
      routes: { writeSection: [{ provider: "openai", model: "gpt-4o-mini" }] },
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toMatch(
      /writeSection names provider "openai", which is not configured/,
    );
  });
});

describe("trust: a tenant can spend the operator's AI budget without limit (operator policy)", () => {
  it("allows the deployment's models plus the operator's list, caps budgets, and adds the operator's prices", () => {
    const policy = operatorAiPolicy(
      loadAiEnv({
        TECHSCANIQ_AI_ALLOWED_MODELS: "gpt-4o,gpt-5",
        TECHSCANIQ_AI_PRICES: "gpt-5=1.25/10",
        TECHSCANIQ_REPORT_TOKEN_BUDGET_MAX: "300000",
      }),
    );
    expect(policy.allowedModels).toEqual(["gpt-4o-mini", "claude-haiku-4-5", "llama3.1", "gpt-4o", "gpt-5"]);
    expect(policy.maxReportTokenBudget).toBe(300_000);
    expect(policy.prices["gpt-5"]).toEqual({ inputPerMTokUsd: 1.25, outputPerMTokUsd: 10 });
    expect(operatorModelRefusal("openai", "gpt-5", policy)).toBeNull();
    expect(operatorModelRefusal("openai", "o1-pro", policy)).toMatch(/not one the operator allows/);
    expect(operatorAiPolicy(base).maxReportTokenBudget).toBe(200_000);
  });

  it("refuses malformed allowlists and price lists naming the variable", () => {
    expect(() => loadAiEnv({ TECHSCANIQ_AI_PRICES: "gpt-5=cheap" })).toThrow(/TECHSCANIQ_AI_PRICES/);
    expect(() => loadAiEnv({ TECHSCANIQ_AI_ALLOWED_MODELS: "gpt 5" })).toThrow(
      /TECHSCANIQ_AI_ALLOWED_MODELS/,
    );
  });
});
