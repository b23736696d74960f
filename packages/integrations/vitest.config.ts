import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Real servers on 127.0.0.1 on a shared 2-core machine: generous, not tight.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
