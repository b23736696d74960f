import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Real Chromium and real servers on a shared 2-core machine: generous, not tight.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
