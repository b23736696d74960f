import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { createTestDatabase, waitUntil, type TestDatabase } from "@techscaniq/db/testing";
import { withServiceTx } from "@techscaniq/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const mainFile = fileURLToPath(new URL("./main.ts", import.meta.url));
const workerDir = fileURLToPath(new URL("..", import.meta.url));
// One process (`node --import tsx`), not the tsx CLI: the CLI relays signals to a child with a
// 30 ms deadline and SIGKILLs it when a loaded machine misses it, which would hide our own exit code.
const startArgs = ["--import", "tsx", mainFile];

/** `waitUntil`, ended at once (with the worker's output) when the worker process exits. */
async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  child: ChildProcess,
  output: string[],
): Promise<T> {
  return waitUntil(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`worker exited (${child.exitCode}) while waiting for ${what}`);
      return probe().catch(() => undefined);
    },
    { what, timeoutMs: 45_000 },
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; worker output:\n${output.join("")}`);
  });
}

describe("worker process", () => {
  let database: TestDatabase;
  let child: ChildProcess | undefined;
  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    // A failed assertion must not leave a worker running.
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    }
    child = undefined;
    await database.drop();
  });

  it("beats, answers /health with 200, and exits 0 on SIGTERM leaving no heartbeat behind", async () => {
    const workerId = `test-worker-${process.pid}`;
    child = spawn(process.execPath, startArgs, {
      cwd: workerDir,
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        WORKER_HEALTH_PORT: "0",
        WORKER_ID: workerId,
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: string[] = [];
    child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));

    // The health port is chosen by the OS (WORKER_HEALTH_PORT=0) and logged once the runner is up.
    const healthPort = await waitFor(
      "the start-up log line",
      async () => {
        for (const line of output.join("").split("\n")) {
          if (!line.startsWith("{")) continue;
          const entry = JSON.parse(line) as { msg?: string; healthPort?: number };
          if (entry.msg === "worker started") return entry.healthPort;
        }
        return undefined;
      },
      child,
      output,
    );

    const heartbeat = await withServiceTx(database.db, (trx) =>
      trx.selectFrom("worker_heartbeats").selectAll().where("worker_id", "=", workerId).executeTakeFirst(),
    );
    expect(heartbeat).toMatchObject({ worker_id: workerId, hostname: hostname(), pid: child.pid });

    const health = await fetch(`http://127.0.0.1:${healthPort}/health`);
    const report = (await health.json()) as {
      status: string;
      checks: { database: { ok: boolean }; heartbeat: { ok: boolean } };
    };
    expect(health.status).toBe(200);
    expect(report).toMatchObject({
      status: "ok",
      workerId,
      checks: { database: { ok: true }, heartbeat: { ok: true } },
    });
    expect((await fetch(`http://127.0.0.1:${healthPort}/ready`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${healthPort}/live`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${healthPort}/nope`)).status).toBe(404);

    child.kill("SIGTERM");
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code, output.join("")).toBe(0);
    const remaining = await withServiceTx(database.db, (trx) =>
      trx.selectFrom("worker_heartbeats").select("worker_id").where("worker_id", "=", workerId).execute(),
    );
    expect(remaining).toEqual([]);
  });

  it("refuses to start without a valid DATABASE_URL and says why", async () => {
    child = spawn(process.execPath, startArgs, {
      cwd: workerDir,
      env: { ...process.env, DATABASE_URL: "mysql://nope", WORKER_HEALTH_PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: string[] = [];
    child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).not.toBe(0);
    expect(output.join("")).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");
  });
});
