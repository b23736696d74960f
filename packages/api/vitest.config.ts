import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["@techscaniq/db/test-global-setup"],
    include: ["src/**/*.test.ts"],
    env: { LOG_LEVEL: "silent" },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
