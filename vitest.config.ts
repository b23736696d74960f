import { defineConfig } from "vitest/config";

// One vitest run over every package; each package's own vitest.config.ts (if
// any) sets its environment, e.g. the shared embedded Postgres.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*", "fixtures", "bench"],
  },
});
