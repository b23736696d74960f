import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startTestApiServer, type TestApiServer } from "@techscaniq/api/testing";
import { createDb, loadDbEnv, type Db } from "@techscaniq/db";
import { findFreePort, runningPostmaster, stopPostmaster } from "@techscaniq/db/embedded";
import { waitUntil } from "@techscaniq/db/testing";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScan } from "./scan";

const cliDir = fileURLToPath(new URL("../..", import.meta.url));
const moduleUrl = (file: string) => JSON.stringify(new URL(file, import.meta.url).href);

/**
 * Stands in for the web app: a database client that, told to stop, first
 * finishes its in-flight work (a query a second later), as a server draining
 * requests does. It leaves Ctrl-C's SIGINT to its supervisor and stops on SIGTERM.
 */
const webStandInScript = `
  const { createDb, sql } = await import("@techscaniq/db");
  const db = createDb(process.env.DATABASE_URL, { max: 1 });
  await sql\`select 1\`.execute(db.kysely);
  process.on("SIGINT", () => undefined);
  process.on("SIGTERM", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const outcome = await sql\`select 1\`.execute(db.kysely)
      .then(() => "done", (error) => "failed: " + error.message);
    console.log("in-flight work " + outcome);
    await db.close();
    process.exit(0);
  });
  console.log("web stand-in ready");
  setInterval(() => undefined, 1000);
`;

/**
 * What `up` does with a stand-in for the web app (a `next build` is too heavy
 * for this suite): the embedded Postgres in its own process group,
 * migrations, the demo seed, and the real worker under `up`'s supervisor.
 */
const upLikeScript = `
  const { startDetachedPostgres } = await import(${moduleUrl("../process.ts")});
  const { superviseServices, workerService } = await import(${moduleUrl("./up.ts")});
  const { migrate, seed } = await import("@techscaniq/db");
  const postgres = await startDetachedPostgres(process.env);
  await migrate(postgres.url);
  await seed(postgres.url);
  const serviceEnv = { ...process.env, DATABASE_URL: postgres.url };
  const web = {
    name: "web",
    command: process.execPath,
    args: ["--import", "tsx", "--input-type=module", "-e", ${JSON.stringify(webStandInScript)}],
    opts: { cwd: process.cwd(), env: serviceEnv },
  };
  superviseServices([workerService(serviceEnv), web], postgres);
  console.log("READY " + postgres.url);
`;

let scratch: string;
let up: ChildProcess;
let upExited: Promise<unknown[]>;
let databaseUrl: string;
let healthUrl: string;
let fixtures: FixtureServer;
const output: string[] = [];
let env: NodeJS.ProcessEnv;

async function health(): Promise<number> {
  return (await fetch(healthUrl).catch(() => null))?.status ?? 0;
}

/** Bounded: gives up (with what the stack printed) well before the test's own timeout. */
async function waitFor(what: string, probe: () => Promise<boolean>): Promise<void> {
  await waitUntil(probe, { what, timeoutMs: 90_000, intervalMs: 300 }).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; output:\n${output.join("")}`);
  });
}

beforeAll(async () => {
  const root = path.join(loadDbEnv().TECHSCANIQ_DATA_DIR, "test-postgres");
  await mkdir(root, { recursive: true });
  scratch = await mkdtemp(path.join(root, `up-${process.pid}-`));
  const pgPort = await findFreePort(loadDbEnv().TECHSCANIQ_TEST_PG_PORT + 120);
  const healthPort = await findFreePort(3600);
  healthUrl = `http://127.0.0.1:${healthPort}/health`;
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  env = {
    ...inherited,
    TECHSCANIQ_DATA_DIR: scratch,
    TECHSCANIQ_PG_PORT: String(pgPort),
    WORKER_HEALTH_PORT: String(healthPort),
    WORKER_ID: `up-test-${process.pid}`,
    TECHSCANIQ_ALLOW_PRIVATE: "1",
    LOG_LEVEL: "warn",
  };
  // Its own process group, as a terminal's foreground job: the test sends Ctrl-C's SIGINT to the group.
  up = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", upLikeScript], {
    cwd: cliDir,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  upExited = once(up, "exit");
  up.stdout!.setEncoding("utf8").on("data", (chunk: string) => output.push(chunk));
  up.stderr!.setEncoding("utf8").on("data", (chunk: string) => output.push(chunk));
  await waitFor("READY", async () => {
    if (up.exitCode !== null) {
      throw new Error(`the up-like stack exited (${up.exitCode}):\n${output.join("")}`);
    }
    databaseUrl = /READY (\S+)/.exec(output.join(""))?.[1] ?? "";
    return databaseUrl !== "";
  });
  await waitFor("a healthy worker", async () => (await health()) === 200);
  await waitFor("the web stand-in", async () => output.join("").includes("web stand-in ready"));
  fixtures = await startFixtureServer({ sites: ["wordpress-like"] });
}, 240_000);

afterAll(async () => {
  // Always leave nothing running: the stack, then a Postgres it may have left behind.
  if (up && up.exitCode === null && up.signalCode === null) {
    process.kill(-up.pid!, "SIGKILL");
    await upExited;
  }
  const left = scratch ? await runningPostmaster(path.join(scratch, "postgres")) : null;
  if (left) await stopPostmaster(left.pid);
  await fixtures?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}, 120_000);

describe("trust: admin create-api-key while up runs", () => {
  let api: TestApiServer | undefined;
  let db: Db | undefined;
  afterAll(async () => {
    await api?.close();
    await db?.close();
  });

  it("creates the key on up's Postgres, leaves it running: a scan then runs, health stays 200", async () => {
    const admin = spawn(
      process.execPath,
      ["--import", "tsx", "src/main.ts", "admin", "create-api-key", "--tenant", "demo", "--name", "while up"],
      { cwd: cliDir, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    admin.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    admin.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const [code] = (await once(admin, "exit")) as [number | null];
    expect(code, stderr).toBe(0);
    const apiKey = stdout.trim();
    expect(apiKey).not.toBe("");

    expect(await runningPostmaster(path.join(scratch, "postgres"))).not.toBeNull();
    expect(await health()).toBe(200);

    db = createDb(databaseUrl);
    api = await startTestApiServer(db);
    const io = { out: [] as string[], err: [] as string[], interactive: false };
    const scanned = await runScan(
      fixtures.url("wordpress-like"),
      { wait: true, json: true, maxPages: 2 },
      { url: api.url.replace(/\/api\/trpc$/, ""), apiKey },
      { stdout: (text) => io.out.push(text), stderr: (text) => io.err.push(text), interactive: false },
    );
    expect(scanned, io.err.join("") + output.join("")).toBe(0);
    expect((JSON.parse(io.out.join("")) as { status: string }).status).toBe("succeeded");
    expect(await health()).toBe(200);
  }, 300_000);
});

describe("trust: Ctrl-C in up stops web and worker before Postgres", () => {
  it("stops web and worker, then Postgres: in-flight work finishes, no connection terminated", async () => {
    expect(up.exitCode).toBeNull();
    process.kill(-up.pid!, "SIGINT");
    const [code] = (await upExited) as [number | null];
    const log = output.join("");
    expect(code, log).toBe(0);
    expect(log).toContain("in-flight work done");
    const postgresStopped = log.indexOf("postgres stopped");
    expect(postgresStopped, log).toBeGreaterThan(-1);
    for (const service of ["web", "worker"]) {
      expect(log.indexOf(`${service} stopped`), log).toBeGreaterThan(-1);
      expect(log.indexOf(`${service} stopped`), log).toBeLessThan(postgresStopped);
    }
    expect(log).not.toMatch(/terminating connection|administrator command|Connection terminated/i);
    expect(await runningPostmaster(path.join(scratch, "postgres"))).toBeNull();
  }, 120_000);
});
