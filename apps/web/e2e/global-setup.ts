import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/**
 * Starts e2e/stack.ts (Postgres, web app, worker) in its own process and
 * waits for its READY line; the returned function stops it. The base URL and
 * the fixture sites' URLs reach the tests through E2E_BASE_URL (E2E_SUPABASE_BASE_URL for the Supabase-mode app) and
 * E2E_FIXTURE_URLS, the seeded demo user's credentials through E2E_DEMO_ACCOUNT
 * (workers inherit the environment).
 */
interface StackReady {
  baseUrl: string;
  databaseUrl: string;
  supabaseBaseUrl: string;
  fixtureUrls: Record<string, string>;
  demoAccount: { email: string; password: string };
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const webDir = fileURLToPath(new URL("..", import.meta.url));
  const stack = spawn(process.execPath, ["--import", "tsx", "e2e/stack.ts"], {
    cwd: webDir,
    env: process.env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = once(stack, "exit");
  const ready = new Promise<StackReady>((resolve, reject) => {
    createInterface({ input: stack.stdout! }).on("line", (line) => {
      if (line.startsWith("READY ")) resolve(JSON.parse(line.slice("READY ".length)) as StackReady);
    });
    void exited.then(([code]) =>
      reject(new Error(`the e2e stack exited (${String(code)}) before it was ready; see its output above`)),
    );
  });
  const { baseUrl, supabaseBaseUrl, databaseUrl, fixtureUrls, demoAccount } = await ready;
  process.env.E2E_BASE_URL = baseUrl;
  process.env.E2E_SUPABASE_BASE_URL = supabaseBaseUrl;
  process.env.E2E_FIXTURE_URLS = JSON.stringify(fixtureUrls);
  process.env.E2E_DEMO_ACCOUNT = JSON.stringify(demoAccount);
  // For what only the worker does (e.g. a schedule tick after downtime), done by a spec as the service role.
  process.env.E2E_DATABASE_URL = databaseUrl;
  return async () => {
    if (stack.exitCode === null) {
      stack.kill("SIGTERM");
      await exited;
    }
  };
}
