import { createHash } from "node:crypto";
import { readdir, readFile, realpath, stat, writeFile } from "node:fs/promises";
import path from "node:path";

/** Not inputs of a build: installed packages, build output and caches (dot folders), tests. */
const SKIPPED_DIRS = new Set(["node_modules", "e2e", "test-results", "playwright-report"]);
const TEST_FILE = /\.test\.[cm]?[jt]sx?$/;
/** Written by Next itself on every build and dev start: hashing it would make each build stale. */
const GENERATED_FILES = new Set(["next-env.d.ts"]);

/** Where `next build` leaves its output, and the hash of the inputs it was built from. */
const BUILD_ID = "BUILD_ID";
const INPUTS_STAMP = "techscaniq-inputs.sha256";

async function* inputFiles(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith(".") && !SKIPPED_DIRS.has(entry.name)) yield* inputFiles(full);
    } else if (entry.isFile() && !TEST_FILE.test(entry.name) && !GENERATED_FILES.has(entry.name)) {
      yield full;
    }
  }
}

/** SHA-256 over the paths (relative to `root`) and contents of the files under `inputs` (folders, files). */
export async function hashBuildInputs(root: string, inputs: string[]): Promise<string> {
  const files: string[] = [];
  for (const input of inputs) {
    if (!(await stat(input)).isDirectory()) files.push(input);
    else for await (const file of inputFiles(input)) files.push(file);
  }
  const hash = createHash("sha256");
  for (const file of files.map((f) => path.relative(root, f)).sort()) {
    hash.update(`${file}\0`);
    hash.update(await readFile(path.join(root, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/**
 * What a build of the web app reads: its own folder, every workspace package
 * it depends on (followed through the links pnpm makes in node_modules) and
 * the lockfile, which pins the third-party versions.
 */
export async function webBuildInputs(repoRoot: string, webDir: string): Promise<string[]> {
  const packages = new Set<string>();
  const visit = async (dir: string): Promise<void> => {
    if (packages.has(dir)) return;
    packages.add(dir);
    const manifest = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    for (const [name, version] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
      if (version.startsWith("workspace:")) await visit(await realpath(path.join(dir, "node_modules", name)));
    }
  };
  await visit(await realpath(webDir));
  return [...packages, path.join(repoRoot, "pnpm-lock.yaml")];
}

/** True when `distDir` holds a finished build made from inputs with this hash. */
export async function buildIsCurrent(distDir: string, inputsHash: string): Promise<boolean> {
  const [buildId, stamp] = await Promise.all(
    [BUILD_ID, INPUTS_STAMP].map((file) => readFile(path.join(distDir, file), "utf8").catch(() => null)),
  );
  return buildId !== null && stamp?.trim() === inputsHash;
}

/** Records, after a successful build, which inputs it was made from. */
export async function recordBuild(distDir: string, inputsHash: string): Promise<void> {
  await writeFile(path.join(distDir, INPUTS_STAMP), `${inputsHash}\n`);
}
