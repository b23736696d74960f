import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { registerUpCommand } from "./commands/up";
import { loadCliEnv } from "./env";
import { buildIsCurrent, hashBuildInputs, recordBuild, webBuildInputs } from "./web-build";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function write(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
}

describe("trust: up serves the production build", () => {
  it("rebuilds only when the web app's inputs changed", async () => {
    const root = await mkdtemp(path.join(tmpdir(), "tsiq-web-build-"));
    dirs.push(root);
    await write(root, {
      "app/page.tsx": "export default () => 'hello';",
      "lib/util.ts": "export const x = 1;",
      "pnpm-lock.yaml": "lockfileVersion: '9.0'",
    });
    const inputs = [path.join(root, "app"), path.join(root, "lib"), path.join(root, "pnpm-lock.yaml")];
    const distDir = path.join(root, "app/.next");
    const hash = await hashBuildInputs(root, inputs);

    // Nothing built yet; then a build of these inputs is current.
    expect(await buildIsCurrent(distDir, hash)).toBe(false);
    await write(root, { "app/.next/BUILD_ID": "abc" });
    expect(await buildIsCurrent(distDir, hash)).toBe(false);
    await recordBuild(distDir, hash);
    expect(await buildIsCurrent(distDir, hash)).toBe(true);

    // Build output (and the file Next writes on each build), installed packages and tests are not inputs.
    await write(root, {
      "app/.next/server/chunk.js": "x",
      "app/next-env.d.ts": '/// <reference types="next" />',
      "app/node_modules/dep/index.js": "x",
      "app/page.test.tsx": "test",
    });
    expect(await hashBuildInputs(root, inputs)).toBe(hash);

    // A changed source, a new file, a renamed file or a changed lockfile means a rebuild.
    await write(root, { "lib/util.ts": "export const x = 2;" });
    const changed = await hashBuildInputs(root, inputs);
    expect(changed).not.toBe(hash);
    expect(await buildIsCurrent(distDir, changed)).toBe(false);
    await write(root, { "lib/util.ts": "export const x = 1;" });
    expect(await hashBuildInputs(root, inputs)).toBe(hash);
    await write(root, { "lib/more.ts": "" });
    expect(await hashBuildInputs(root, inputs)).not.toBe(hash);
    await rm(path.join(root, "lib/more.ts"));
    await write(root, { "pnpm-lock.yaml": "lockfileVersion: '9.1'" });
    expect(await hashBuildInputs(root, inputs)).not.toBe(hash);
  });

  it("counts the workspace packages the web app depends on as its inputs", async () => {
    const webDir = path.join(repoRoot, "apps/web");
    const inputs = (await webBuildInputs(repoRoot, webDir)).map((input) => path.relative(repoRoot, input));
    expect(inputs).toEqual(
      expect.arrayContaining([
        "apps/web",
        "packages/api",
        "packages/db",
        "packages/contracts",
        "pnpm-lock.yaml",
      ]),
    );
    expect(inputs).not.toContain("apps/worker");
    // Requests never run models: the web app's inputs stop at the api and the contracts.
    expect(inputs).not.toContain("packages/ai");
  });

  it("`up --help` offers --dev for the development server", () => {
    const program = new Command("techscaniq");
    registerUpCommand(program, loadCliEnv({}));
    const help = program.commands.find((command) => command.name() === "up")!.helpInformation();
    expect(help).toMatch(/--dev\s+run the Next\.js development server \(hot reload\)/);
    expect(help).toMatch(/the web app's production build/);
  });
});
