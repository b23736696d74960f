// One flat config for the whole monorepo: type-aware rules would double the
// lint time on 2 cores, so we use the syntactic recommended sets.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/dist/**",
      ".data/**",
      "**/next-env.d.ts",
      "fixtures/sites/**",
      "**/*.generated.ts",
      "test-results/**",
      "playwright-report/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "off",
      // Each package reads its environment in one env.ts and passes the parsed values down.
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read the environment in the package's env.ts." },
      ],
    },
  },
  {
    // Tests, their support code, benchmarks, fixtures and tool configs start processes and set up environments.
    files: [
      "**/env.ts",
      "**/*.test.ts",
      "**/*.test.tsx",
      "**/e2e/**",
      "**/testing.ts",
      "**/testing/**",
      "**/test-global-setup.ts",
      "bench/**",
      "fixtures/**",
      "**/*.config.{js,mjs,ts}",
    ],
    rules: { "no-restricted-properties": "off" },
  },
);
