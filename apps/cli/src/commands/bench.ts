import type { Command } from "commander";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { bin, repoRoot, run } from "../process";

const benchDir = path.join(repoRoot, "bench", "src");

export function registerBenchCommand(program: Command): void {
  const available = existsSync(benchDir)
    ? readdirSync(benchDir)
        .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.startsWith("_"))
        .map((f) => f.replace(/\.ts$/, ""))
    : [];
  program
    .command("bench")
    .description(`run a benchmark and print its figures (${available.join(", ") || "none yet"})`)
    .argument("<name>", "benchmark name")
    .allowUnknownOption()
    .argument("[args...]")
    .action(async (name: string, args: string[]) => {
      if (!available.includes(name))
        throw new Error(`unknown benchmark "${name}"; available: ${available.join(", ")}`);
      process.exitCode = await run(bin("tsx"), [path.join(benchDir, `${name}.ts`), ...args], {
        cwd: path.join(repoRoot, "bench"),
      });
    });
}
