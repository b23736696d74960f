import { afterEach, describe, expect, it, vi } from "vitest";

describe("style: one env style", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it("importing the commands parses no environment; main's loadCliEnv names the bad variable", async () => {
    vi.stubEnv("TECHSCANIQ_URL", "not a url");
    vi.resetModules();
    await expect(import("./commands/scan")).resolves.toHaveProperty("registerScanCommand");
    await expect(import("./commands/up")).resolves.toHaveProperty("registerUpCommand");
    const { loadCliEnv } = await import("./env");
    expect(() => loadCliEnv()).toThrow(/^Invalid CLI environment: TECHSCANIQ_URL: /);
    expect(loadCliEnv({ TECHSCANIQ_URL: "http://127.0.0.1:4000" }).TECHSCANIQ_URL).toBe(
      "http://127.0.0.1:4000",
    );
  }, 60_000);
});
