import type { Command } from "commander";
import { mkdirSync, readFileSync, existsSync, rmSync } from "node:fs";
import path from "node:path";
import { checkBoundaries } from "../boundaries";
import { childEnv } from "../env";
import { bin, repoRoot, run } from "../process";

const resultsDir = path.join(repoRoot, ".data", "test-results");

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/** Vitest's JSON reporter: numPassedTests etc. */
function vitestCounts(file: string): Counts | null {
  if (!existsSync(file)) return null;
  const r = JSON.parse(readFileSync(file, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  return { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests };
}

/** Playwright's JSON reporter: stats.expected/unexpected/flaky/skipped. */
function playwrightCounts(file: string): Counts | null {
  if (!existsSync(file)) return null;
  const r = JSON.parse(readFileSync(file, "utf8")) as {
    stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  };
  return { passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected, skipped: r.stats.skipped };
}

export function registerTestCommand(program: Command): void {
  program
    .command("test")
    .description(
      "run the whole suite: typecheck, lint, format, package boundaries, unit + integration tests (vitest), browser e2e (Playwright)",
    )
    .option("--no-e2e", "skip the browser end-to-end tests")
    .option("--no-static", "skip typecheck, lint, format and boundaries")
    .argument("[filters...]", "vitest file filters (runs only vitest when given)")
    .action(async (filters: string[], opts: { e2e: boolean; static: boolean }) => {
      rmSync(resultsDir, { recursive: true, force: true });
      mkdirSync(resultsDir, { recursive: true });
      const steps: { name: string; ok: boolean; counts?: Counts | null }[] = [];
      const onlyVitest = filters.length > 0;

      if (opts.static && !onlyVitest) {
        steps.push({
          name: "typecheck",
          ok: (await run(bin("turbo"), ["run", "typecheck", "--output-logs=errors-only"])) === 0,
        });
        steps.push({ name: "lint", ok: (await run(bin("eslint"), ["--max-warnings", "0", "."])) === 0 });
        steps.push({
          name: "format",
          ok: (await run(bin("prettier"), ["--check", "--log-level", "warn", "."])) === 0,
        });
        steps.push({ name: "boundaries", ok: (await checkBoundaries()) === 0 });
      }

      const vitestJson = path.join(resultsDir, "vitest.json");
      const vitestCode = await run(bin("vitest"), [
        "run",
        "--reporter=default",
        "--reporter=json",
        `--outputFile.json=${vitestJson}`,
        ...filters,
      ]);
      const vitestResult = vitestCounts(vitestJson);
      // A runner's exit code alone has lied before (a library's exit hook exited 0): failed tests fail the step.
      steps.push({ name: "vitest", ok: vitestCode === 0 && !vitestResult?.failed, counts: vitestResult });

      if (opts.e2e && !onlyVitest) {
        const e2eJson = path.join(resultsDir, "e2e.json");
        const e2eCode = await run("pnpm", ["--filter", "@techscaniq/web", "test:e2e"], {
          env: childEnv({ PLAYWRIGHT_JSON_OUTPUT_NAME: e2eJson }),
        });
        const e2eResult = playwrightCounts(e2eJson);
        steps.push({ name: "e2e", ok: e2eCode === 0 && !e2eResult?.failed, counts: e2eResult });
      }

      const total: Counts = { passed: 0, failed: 0, skipped: 0 };
      console.log("\nSummary");
      for (const step of steps) {
        const c = step.counts;
        if (c) {
          total.passed += c.passed;
          total.failed += c.failed;
          total.skipped += c.skipped;
        }
        const detail = c
          ? ` (${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ""})`
          : "";
        console.log(`  ${step.ok ? "ok  " : "FAIL"} ${step.name}${detail}`);
      }
      const failedSteps = steps.filter((s) => !s.ok).length;
      // A failed step without countable tests (typecheck, lint, a crashed runner) still counts as a failure.
      const failedUncounted = steps.filter((s) => !s.ok && (!s.counts || s.counts.failed === 0)).length;
      console.log(`\n${total.passed} passed, ${total.failed + failedUncounted} failed`);
      process.exitCode = failedSteps ? 1 : 0;
    });
}
