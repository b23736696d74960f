import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { boundaryCommand } from "./boundaries";
import { repoRoot } from "./process";

/** depcruise's exit code and report for `paths`, with the repository's rules. */
async function cruise(paths?: string[]): Promise<{ code: number; output: string }> {
  const { command, args } = boundaryCommand(paths);
  try {
    const { stdout } = await promisify(execFile)(command, args, {
      cwd: repoRoot,
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === "number" ? failed.code : -1,
      output: `${failed.stdout ?? ""}${failed.stderr ?? ""}`,
    };
  }
}

const probes: string[] = [];
/** A throw-away source file inside a package (where the rules apply), removed after the tests. */
async function probe(packageSrc: string, source: string): Promise<string> {
  const dir = await mkdtemp(path.join(repoRoot, packageSrc, "boundary-probe-"));
  probes.push(dir);
  await writeFile(path.join(dir, "probe.ts"), source);
  return path.relative(repoRoot, path.join(dir, "probe.ts"));
}
afterAll(() => Promise.all(probes.map((dir) => rm(dir, { recursive: true, force: true }))));

describe("boundaries: nothing enforces the boundaries", { timeout: 300_000 }, () => {
  it("the repository keeps every arrow", async () => {
    const { code, output } = await cruise();
    expect(output).toContain("no dependency violations found");
    expect(code).toBe(0);
  });

  it("refuses an api that imports ai, an undeclared package or another package's src/", async () => {
    const file = await probe(
      "packages/api/src",
      [
        'import "../../../ai/src/index";',
        'import "@techscaniq/scanner";',
        'import "../../../db/src/client";',
        "",
      ].join("\n"),
    );
    const { code, output } = await cruise([file]);
    expect(code).not.toBe(0);
    expect(output).toMatch(
      /error api-to-db-and-contracts: packages\/api\/src\/boundary-probe-\w+\/probe\.ts → packages\/ai\/src\/index\.ts/,
    );
    expect(output).toMatch(/error resolvable: .*probe\.ts → @techscaniq\/scanner/);
    expect(output).toMatch(/error no-deep-imports: .*probe\.ts → packages\/db\/src\/client\.ts/);
  });

  it("refuses contracts that import another package or do I/O, and product code that imports fixtures or bench", async () => {
    const contracts = await probe(
      "packages/contracts/src",
      ['import "node:fs";', 'import "../../../scanner/src/net/resolver";', ""].join("\n"),
    );
    const worker = await probe(
      "apps/worker/src",
      ['import "@techscaniq/fixtures";', 'import "../../../../bench/src/queue";', ""].join("\n"),
    );
    const { code, output } = await cruise([contracts, worker]);
    expect(code).not.toBe(0);
    expect(output).toMatch(/error contracts-no-io: .*probe\.ts → fs/);
    expect(output).toMatch(
      /error contracts-is-a-leaf: .*probe\.ts → packages\/scanner\/src\/net\/resolver\.ts/,
    );
    expect(output).toMatch(/error fixtures-only-in-tests: apps\/worker\/.*probe\.ts → fixtures\//);
    expect(output).toMatch(/error no-bench-in-product: apps\/worker\/.*probe\.ts → bench\/src\/queue\.ts/);
  });
});
