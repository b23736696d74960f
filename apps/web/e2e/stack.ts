/**
 * The whole product for browser tests, in one process the Playwright global
 * setup starts and stops: a throwaway embedded Postgres with the migrated
 * schema, a production build of the web app served by `next start` on
 * 127.0.0.1, the worker (allowed to scan loopback addresses), and the fixture
 * sites on 127.0.0.1. A second `next start` of the same build runs in
 * Supabase mode against a fake Supabase Auth server (whose users land in the
 * same database's auth.users). Prints `READY <json>` once /api/health is 200
 * (database, migrations and worker heartbeat all fine); SIGTERM tears it all down.
 *
 *   node --import tsx e2e/stack.ts        (E2E_SKIP_BUILD=1 reuses .next)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDb, seed, withServiceTx } from "@techscaniq/db";
import { findFreePort } from "@techscaniq/db/embedded";
import { cloneTemplate, startTestServer } from "@techscaniq/db/testing";
import { startFakeSupabaseAuth, startFixtureServer, type FakeSupabaseAuth } from "@techscaniq/fixtures";

const webDir = fileURLToPath(new URL("..", import.meta.url));
const workerMain = path.join(webDir, "../worker/src/main.ts");
const nextBin = path.join(webDir, "node_modules/next/dist/bin/next");

function log(message: string) {
  process.stderr.write(`[e2e stack] ${message}\n`);
}

function start(name: string, args: string[], env: Record<string, string>, cwd: string): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = (chunk: Buffer) => chunk.toString().replace(/^(?=.)/gm, `[${name}] `);
  child.stdout?.on("data", (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  return child;
}

async function run(name: string, args: string[], env: Record<string, string>, cwd: string): Promise<void> {
  const child = start(name, args, env, cwd);
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`${name} exited with ${code}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

async function waitForHealthy(baseUrl: string, children: ChildProcess[]): Promise<void> {
  let last = "no answer yet";
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const dead = children.find((child) => child.exitCode !== null);
    if (dead)
      throw new Error(
        `a service exited (${dead.exitCode}) before the stack was healthy; last health: ${last}`,
      );
    try {
      const response = await fetch(`${baseUrl}/api/health`);
      last = `${response.status} ${await response.text()}`;
      if (response.ok) return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the stack did not become healthy: ${last}`);
}

const started = Date.now();
const postgres = await startTestServer();
const fixtures = await startFixtureServer({ sites: ["wordpress-like", "injection", "limits"] });
// Web and worker share one object store (screenshots, exports), thrown away with the run.
const dataDir = await mkdtemp(path.join(tmpdir(), "techscaniq-e2e-"));
const children: ChildProcess[] = [];
let supabaseAuth: FakeSupabaseAuth | undefined;
let supabaseAuthDb: ReturnType<typeof createDb> | undefined;
let shuttingDown = false;
const shutDown = async (code: number) => {
  if (shuttingDown) return;
  shuttingDown = true;
  await Promise.all(children.map(stop));
  await supabaseAuth?.close();
  await supabaseAuthDb?.close();
  await fixtures.close();
  await postgres.stop();
  await rm(dataDir, { recursive: true, force: true });
  process.exit(code);
};
process.on("SIGTERM", () => void shutDown(0));
process.on("SIGINT", () => void shutDown(0));

try {
  const databaseUrl = await cloneTemplate(postgres.url);
  // The demo tenant and user `./techscaniq up` seeds: a stranger's first sign-in is with them.
  const demo = await seed(databaseUrl);
  // Web seals tenant AI keys and the worker opens them: both need the same secrets key (production mode generates none).
  const env = {
    DATABASE_URL: databaseUrl,
    TECHSCANIQ_DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
    TECHSCANIQ_SECRETS_KEY: randomBytes(32).toString("base64url"),
  };
  if (process.env.E2E_SKIP_BUILD !== "1") {
    const buildStarted = Date.now();
    await run("next build", [nextBin, "build"], { ...env, NODE_ENV: "production" }, webDir);
    log(`next build took ${Math.round((Date.now() - buildStarted) / 1000)} s`);
  }
  const port = await findFreePort(3300);
  const baseUrl = `http://127.0.0.1:${port}`;
  children.push(
    start(
      "web",
      [nextBin, "start", "--hostname", "127.0.0.1", "--port", String(port)],
      // A production build over plain http: Secure cookies would never come back from the browser.
      {
        ...env,
        NODE_ENV: "production",
        SESSION_COOKIE_SECURE: "false",
        // Production local-auth mode needs an explicit signing secret (no generated file).
        TECHSCANIQ_JWT_SECRET: randomBytes(32).toString("base64url"),
        // A workspace's AI settings may name the fake model servers specs start on 127.0.0.1.
        TECHSCANIQ_ALLOW_PRIVATE: "1",
      },
      webDir,
    ),
    // The fixture sites are on 127.0.0.1, which the scanner refuses unless the operator allows private addresses.
    start(
      "worker",
      ["--import", "tsx", workerMain],
      { ...env, WORKER_HEALTH_PORT: "0", WORKER_ID: "e2e-worker", TECHSCANIQ_ALLOW_PRIVATE: "1" },
      path.dirname(workerMain),
    ),
  );
  // Supabase mode: GoTrue owns auth.users, so the fake writes each new user there, as Supabase would.
  const authDb = createDb(databaseUrl);
  supabaseAuthDb = authDb;
  supabaseAuth = await startFakeSupabaseAuth({
    onUserCreated: (user) =>
      withServiceTx(authDb, (trx) =>
        trx
          .insertInto("auth.users")
          .values({
            id: user.id,
            instance_id: "00000000-0000-0000-0000-000000000000",
            aud: user.aud,
            role: user.role,
            email: user.email,
            email_confirmed_at: new Date(user.email_confirmed_at),
            raw_app_meta_data: JSON.stringify(user.app_metadata),
            raw_user_meta_data: JSON.stringify(user.user_metadata),
          })
          .execute(),
      ).then(() => undefined),
  });
  const supabasePort = await findFreePort(port + 1);
  const supabaseBaseUrl = `http://127.0.0.1:${supabasePort}`;
  children.push(
    start(
      "web-supabase",
      [nextBin, "start", "--hostname", "127.0.0.1", "--port", String(supabasePort)],
      // The API verifies tokens with the fake's JWKS (SUPABASE_URL's default JWKS address).
      {
        ...env,
        NODE_ENV: "production",
        SESSION_COOKIE_SECURE: "false",
        SUPABASE_URL: supabaseAuth.url,
        SUPABASE_ANON_KEY: supabaseAuth.anonKey,
      },
      webDir,
    ),
  );
  await waitForHealthy(baseUrl, children);
  await waitForHealthy(supabaseBaseUrl, children);
  log(
    `ready in ${Math.round((Date.now() - started) / 1000)} s at ${baseUrl} (Supabase mode at ${supabaseBaseUrl})`,
  );
  const fixtureUrls = {
    wordpressLike: fixtures.url("wordpress-like"),
    injection: fixtures.url("injection"),
    slow: fixtures.url("limits", "/slow"),
  };
  const demoAccount = { email: demo.user.email, password: demo.password };
  process.stdout.write(
    `READY ${JSON.stringify({ baseUrl, supabaseBaseUrl, databaseUrl, fixtureUrls, demoAccount })}\n`,
  );
} catch (error) {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  await shutDown(1);
}
