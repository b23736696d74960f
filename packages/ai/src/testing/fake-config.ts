import type { FakeLlmServer } from "@techscaniq/fixtures";
import { AiConfig, TASKS, type RouteStep } from "../config";

/** A config whose every task goes to the fake OpenAI endpoint (then Anthropic, then the offline analyst). */
export function fakeConfig(fake: FakeLlmServer, chain?: RouteStep[]): AiConfig {
  const steps = chain ?? [
    { provider: "openai", model: "gpt-4o-mini" },
    { provider: "anthropic", model: "claude-haiku-4-5" },
    { provider: "offline", model: "rules" },
  ];
  return AiConfig.parse({
    providers: {
      openai: { kind: "openai", apiKey: "sk-test", baseURL: fake.openaiBaseUrl },
      anthropic: { kind: "anthropic", apiKey: "sk-ant-test", baseURL: fake.anthropicBaseUrl },
      offline: { kind: "offline" },
    },
    routes: Object.fromEntries(TASKS.map((task) => [task, steps])),
    prices: {
      "gpt-4o-mini": { inputPerMTokUsd: 0.15, outputPerMTokUsd: 0.6 },
      "claude-haiku-4-5": { inputPerMTokUsd: 1, outputPerMTokUsd: 5 },
    },
    retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 2_000 },
    timeoutMs: 5_000,
  });
}

/** The task and section a prompt was written for (every prompt starts with them). */
export function promptTask(text: string): { task: string | null; section: string | null } {
  return { task: /Task: (\w+)/.exec(text)?.[1] ?? null, section: /Section: (\w+)/.exec(text)?.[1] ?? null };
}
