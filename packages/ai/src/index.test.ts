import { describe, expect, it } from "vitest";
import { AiConfig, defaultAiConfig, TASKS } from "./index";

const base = { TECHSCANIQ_OPENAI_MODEL: "gpt-4o-mini", TECHSCANIQ_ANTHROPIC_MODEL: "claude-haiku-4-5", TECHSCANIQ_LOCAL_LLM_MODEL: "llama3.1", TECHSCANIQ_REPORT_TOKEN_BUDGET: 200_000 };

describe("defaultAiConfig", () => {
  it("routes every task to the offline analyst when no key is set", () => {
    const config = defaultAiConfig(base);
    expect(Object.keys(config.providers)).toEqual(["offline"]);
    for (const task of TASKS) expect(config.routes[task]).toEqual([{ provider: "offline", model: "rules" }]);
  });

  it("puts every configured vendor before the offline analyst", () => {
    const config = defaultAiConfig({ ...base, OPENAI_API_KEY: "sk", ANTHROPIC_API_KEY: "ak", TECHSCANIQ_LOCAL_LLM_URL: "http://127.0.0.1:11434/v1" });
    expect(config.routes.writeSection!.map((step) => step.provider)).toEqual(["openai", "anthropic", "local", "offline"]);
  });

  it("names a route to an unconfigured provider in the error", () => {
    const result = AiConfig.safeParse({ providers: { offline: { kind: "offline" } }, routes: { writeSection: [{ provider: "openai", model: "gpt-4o-mini" }] } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toMatch(/writeSection names provider "openai", which is not configured/);
  });
});
