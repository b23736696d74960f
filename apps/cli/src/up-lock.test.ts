import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { claimUpLock, runningUp } from "./up-lock";

const cliDir = fileURLToPath(new URL("..", import.meta.url));

/** A live process that is not this one, standing in for a running `up`. */
function sleeper(): ChildProcess {
  return spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
}

async function cli(args: string[], dataDir: string): Promise<{ code: number | null; stderr: string }> {
  // The embedded Postgres of this data directory, not the suite's database.
  const { DATABASE_URL: _suiteDatabase, ...env } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    cwd: cliDir,
    env: { ...env, TECHSCANIQ_DATA_DIR: dataDir, CI: "true" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stderr };
}

describe("trust: one up per data directory", () => {
  let dataDir: string;
  let holder: ChildProcess;
  beforeAll(async () => {
    holder = sleeper();
    await once(holder, "spawn");
  });
  afterAll(() => holder.kill("SIGKILL"));
  afterEach(async () => rm(dataDir, { recursive: true, force: true }));

  const heldDataDir = async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "tsiq-up-lock-"));
    await writeFile(path.join(dataDir, "up.lock"), `${holder.pid} 3999\n`);
    return dataDir;
  };

  it("refuses a second claim while the holder lives, naming it, and takes over a stale lock", async () => {
    const dir = await heldDataDir();
    await expect(claimUpLock(dir, "3000")).rejects.toThrow(
      `not starting: TechScanIQ is already running from ${dir} (pid ${holder.pid}, http://localhost:3999)`,
    );

    const gone = sleeper();
    await once(gone, "spawn");
    gone.kill("SIGKILL");
    await once(gone, "exit");
    await writeFile(path.join(dir, "up.lock"), `${gone.pid} 3999\n`);
    expect(await runningUp(dir)).toBeNull();
    const lock = await claimUpLock(dir, "3000");
    expect(await readFile(path.join(dir, "up.lock"), "utf8")).toBe(`${process.pid} 3000\n`);
    await lock.release();
    expect(existsSync(path.join(dir, "up.lock"))).toBe(false);
  });

  it("`up` refuses up front while another up runs from the data directory: no Postgres, no build", async () => {
    const dir = await heldDataDir();
    const { code, stderr } = await cli(["up", "--port", "3999"], dir);
    expect(code).toBe(1);
    expect(stderr).toContain(`not starting: TechScanIQ is already running from ${dir} (pid ${holder.pid}`);
    expect(existsSync(path.join(dir, "postgres"))).toBe(false);
  }, 60_000);

  it("`db reset --yes` refuses while up runs from the data directory, and touches nothing", async () => {
    const dir = await heldDataDir();
    const { code, stderr } = await cli(["db", "reset", "--yes"], dir);
    expect(code).toBe(1);
    expect(stderr).toContain(`not resetting the database: TechScanIQ is already running from ${dir}`);
    expect(existsSync(path.join(dir, "postgres"))).toBe(false);
  }, 60_000);

  it("`up` refuses a web port another program listens on before starting anything, and leaves no lock", async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "tsiq-up-lock-"));
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = String((taken.address() as { port: number }).port);
    try {
      const { code, stderr } = await cli(["up", "--port", port], dataDir);
      expect(code).toBe(1);
      expect(stderr).toContain(`port ${port} is in use by another program: pass --port <a free port>`);
      expect(existsSync(path.join(dataDir, "postgres"))).toBe(false);
      expect(existsSync(path.join(dataDir, "up.lock"))).toBe(false);
    } finally {
      taken.close();
    }
  }, 60_000);
});
