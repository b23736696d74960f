import { afterEach, describe, expect, it, vi } from "vitest";

describe("style: one env style", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it("importing the AI package parses no environment; loadAiEnv names the bad variable", async () => {
    vi.stubEnv("OPENAI_BASE_URL", "not a url");
    vi.resetModules();
    // Before: env.ts parsed the process environment when imported, and this import threw.
    const { loadAiEnv } = await import("./env");
    expect(() => loadAiEnv()).toThrow(/^Invalid AI environment: OPENAI_BASE_URL: /);
    expect(loadAiEnv({ OPENAI_API_KEY: "sk-given" }).OPENAI_API_KEY).toBe("sk-given");
  });
});
