import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { findFreePort, runningPostmaster, startEmbeddedPostgres, stopPostmaster } from "./embedded";
import { loadDbEnv } from "./env";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function scratchDir(): Promise<string> {
  const root = path.join(loadDbEnv().TECHSCANIQ_DATA_DIR, "test-postgres");
  await mkdir(root, { recursive: true });
  const dir = await mkdtemp(path.join(root, `embedded-${process.pid}-`));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return path.join(dir, "pg");
}

async function scalar(url: string, text: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Object.values((await client.query(text)).rows[0] ?? {})[0];
  } finally {
    await client.end();
  }
}

describe("startEmbeddedPostgres", () => {
  it("keeps data and password across restarts and listens on 127.0.0.1 only", async () => {
    const dataDir = await scratchDir();
    const port = await findFreePort(loadDbEnv().TECHSCANIQ_TEST_PG_PORT + 50);
    const first = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });
    await scalar(first.url, "create table kept as select 'still here' as v");
    expect(await scalar(first.url, "show listen_addresses")).toBe("127.0.0.1");
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir, port, ephemeral: true });
    cleanups.push(() => second.stop());
    expect(second.url).toBe(first.url);
    expect(second.adopted).toBe(false);
    expect(await scalar(second.url, "select v from kept")).toBe("still here");
  });

  it("starts in a folder only its owner can enter (mkdtemp, /root) even as root", async () => {
    const dataDir = await scratchDir();
    expect((await stat(path.dirname(dataDir))).mode & 0o777).toBe(0o700);
    const server = await startEmbeddedPostgres({
      dataDir,
      port: await findFreePort(loadDbEnv().TECHSCANIQ_TEST_PG_PORT + 80),
      ephemeral: true,
    });
    cleanups.push(() => server.stop());
    expect(await scalar(server.url, "select 1")).toBe(1);
  });

  /** A separate process starts Postgres on `dataDir` and keeps running until killed. */
  async function startHolder(dataDir: string, port: number) {
    const embeddedModule = new URL("./embedded.ts", import.meta.url).href;
    const holder = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(embeddedModule)});
         const s = await m.startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port}, ephemeral: true });
         console.log(s.url); setInterval(() => {}, 1000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const url = await new Promise<string>((resolve, reject) => {
      holder.stdout.on("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
      holder.once("exit", (code) => reject(new Error(`holder exited with ${code}`)));
    });
    const kill = async () => {
      if (holder.exitCode !== null || holder.signalCode !== null) return;
      holder.kill("SIGKILL");
      await new Promise((resolve) => holder.once("exit", resolve));
    };
    return { url, kill };
  }

  it("leaves the process's exit code alone (a failed test run must not exit 0)", async () => {
    const dataDir = await scratchDir();
    const port = await findFreePort(loadDbEnv().TECHSCANIQ_TEST_PG_PORT + 70);
    const embeddedModule = new URL("./embedded.ts", import.meta.url).href;
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(embeddedModule)});
         const s = await m.startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port}, ephemeral: true });
         await s.stop();
         process.exitCode = 3;`,
      ],
      { stdio: ["ignore", "inherit", "inherit"] },
    );
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(3);
  });

  it("takes over a server left running by a killed process, and stops it", async () => {
    const dataDir = await scratchDir();
    const port = await findFreePort(loadDbEnv().TECHSCANIQ_TEST_PG_PORT + 60);
    // The holder is killed without a chance to stop its server.
    const { url, kill } = await startHolder(dataDir, port);
    await kill();

    const adopted = await startEmbeddedPostgres({ dataDir, port: port + 1, ephemeral: true });
    expect(adopted.adopted).toBe(true);
    expect(adopted.shared).toBe(false);
    expect(adopted.url).toBe(url);
    expect(await scalar(adopted.url, "select 1")).toBe(1);
    await adopted.stop();
    await expect(scalar(url, "select 1")).rejects.toThrow(/ECONNREFUSED/);
  });

  describe("trust: a CLI command leaves the Postgres of a running `up` running", () => {
    it("uses a server whose owner is alive and does not stop it", async () => {
      const dataDir = await scratchDir();
      const port = await findFreePort(loadDbEnv().TECHSCANIQ_TEST_PG_PORT + 90);
      const owner = await startHolder(dataDir, port);
      cleanups.push(async () => {
        await owner.kill();
        const left = await runningPostmaster(dataDir);
        if (left) await stopPostmaster(left.pid);
      });

      const used = await startEmbeddedPostgres({ dataDir, port: port + 1, ephemeral: true });
      expect(used).toMatchObject({ url: owner.url, shared: true, adopted: false });
      await used.stop();
      expect(await scalar(owner.url, "select 1")).toBe(1);

      // Once the owner is gone, the next command takes the server over (and may stop it).
      await owner.kill();
      const adopted = await startEmbeddedPostgres({ dataDir, port: port + 1, ephemeral: true });
      expect(adopted).toMatchObject({ url: owner.url, shared: false, adopted: true });
      await adopted.stop();
      await expect(scalar(owner.url, "select 1")).rejects.toThrow(/ECONNREFUSED/);
    });
  });

  it("explains why it could not start", async () => {
    const dataDir = await scratchDir();
    const blocker = await startEmbeddedPostgres({
      dataDir,
      port: await findFreePort(loadDbEnv().TECHSCANIQ_TEST_PG_PORT + 70),
      ephemeral: true,
    });
    cleanups.push(() => blocker.stop());
    const busyPort = Number(new URL(blocker.url).port);
    const other = await scratchDir();
    await expect(startEmbeddedPostgres({ dataDir: other, port: busyPort, ephemeral: true })).rejects.toThrow(
      new RegExp(`failed to start on 127\\.0\\.0\\.1:${busyPort}`),
    );
  });
});
