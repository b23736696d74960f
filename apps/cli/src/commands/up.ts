import type { ChildProcess, SpawnOptions } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import type { Command } from "commander";
import { createDb, loadDbEnv, migrate, seed } from "@techscaniq/db";
import { findFreePort } from "@techscaniq/db/embedded";
import { createSecretBox, dataDirSecret } from "@techscaniq/db/secrets";
import { demoCredentials, demoIntegrationsService, upsertDemoConnections } from "../demo-integrations";
import { childEnv, type CliEnv } from "../env";
import { printDemoAccount } from "./db";
import { repoRoot, run, startDetachedPostgres, startService, stopService } from "../process";
import type { DetachedPostgres } from "../process";
import { claimUpLock } from "../up-lock";
import { buildIsCurrent, hashBuildInputs, recordBuild, webBuildInputs } from "../web-build";

const webDir = path.join(repoRoot, "apps/web");
/** Where `up --demo-integrations` looks for a free port for the fake provider APIs. */
const DEMO_INTEGRATIONS_PORT = 54_400;
const nextBin = path.join(webDir, "node_modules/.bin/next");

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  opts: SpawnOptions;
}

export function workerService(serviceEnv: NodeJS.ProcessEnv): ServiceSpec {
  const args = ["--import", "tsx", path.join(repoRoot, "apps/worker/src/main.ts")];
  return { name: "worker", command: process.execPath, args, opts: { env: serviceEnv } };
}

function webService(mode: "dev" | "start", port: string, serviceEnv: NodeJS.ProcessEnv): ServiceSpec {
  const args = [mode, "--port", port, "--hostname", "127.0.0.1"];
  return { name: "web", command: nextBin, args, opts: { cwd: webDir, env: serviceEnv } };
}

/** Builds the web app for production unless `.next` already holds a build of the same inputs. */
async function ensureWebBuild(buildEnv: NodeJS.ProcessEnv): Promise<void> {
  const inputsHash = await hashBuildInputs(repoRoot, await webBuildInputs(repoRoot, webDir));
  const distDir = path.join(webDir, ".next");
  if (await buildIsCurrent(distDir, inputsHash)) {
    console.error("web: production build is current");
    return;
  }
  console.error("web: building for production (once; again only when its sources change)…");
  const code = await run(nextBin, ["build"], { cwd: webDir, env: buildEnv });
  if (code !== 0) {
    throw new Error(`next build failed (exit ${code}); \`up --dev\` runs the development server instead`);
  }
  await recordBuild(distDir, inputsHash);
}

/**
 * Runs the services until Ctrl-C, SIGTERM or one of them exits; then stops
 * them all and waits (bounded), and only then stops Postgres, so no client
 * sees its connection terminated.
 */
/** Refuses a web port another program listens on before minutes of build, not after. */
async function ensurePortFree(port: string): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`port ${port} is in use by another program: pass --port <a free port>`)
          : error,
      ),
    );
    server.listen(Number(port), "127.0.0.1", () => server.close(() => resolve()));
  });
}

export function superviseServices(
  specs: ServiceSpec[],
  postgres: DetachedPostgres | null,
  lock?: { release(): Promise<void> },
): void {
  const services = specs.map(
    (spec) => [spec.name, startService(spec.name, spec.command, spec.args, spec.opts)] as const,
  );
  let stopping = false;
  const stopChild = async ([name, child]: readonly [string, ChildProcess]) => {
    await stopService(child);
    console.error(`${name} stopped`);
  };
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.error("\nstopping…");
    await Promise.all(services.map(stopChild));
    if (postgres && !postgres.shared) {
      await postgres.stop();
      console.error("postgres stopped");
    }
    await lock?.release();
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  for (const [name, child] of services) {
    child.on("exit", (code) => {
      if (!stopping) {
        console.error(`${name} exited with code ${code}; stopping the rest`);
        void stop(code ?? 1);
      }
    });
  }
}

export function registerUpCommand(program: Command, env: CliEnv): void {
  program
    .command("up")
    .description(
      "run the whole product: embedded Postgres (unless DATABASE_URL), migrations, demo seed, " +
        "the web app's production build and the worker",
    )
    .option("--port <port>", "web port", String(env.PORT))
    .option("--dev", "run the Next.js development server (hot reload) instead of the production build")
    .option(
      "--demo-integrations",
      "also run fake GitHub, Jira, ServiceNow and Slack APIs on 127.0.0.1 with demo connections to them " +
        "(the worker may then reach private addresses)",
    )
    .action(async (opts: { port: string; dev?: boolean; demoIntegrations?: boolean }) => {
      const dbEnv = loadDbEnv();
      const dataDir = dbEnv.TECHSCANIQ_DATA_DIR;
      const lock = await claimUpLock(dataDir, opts.port);
      await ensurePortFree(opts.port).catch(async (error: unknown) => {
        await lock.release();
        throw error;
      });
      const postgres = env.DATABASE_URL ? null : await startDetachedPostgres(childEnv({}));
      const databaseUrl = env.DATABASE_URL ?? postgres!.url;
      if (!postgres) console.error("postgres: DATABASE_URL");
      else if (postgres.shared) console.error("postgres: embedded, run by another process (left running)");
      else console.error(`postgres: embedded (data in ${path.join(dataDir, "postgres")})`);

      try {
        await migrate(databaseUrl);
        const demo = await seed(databaseUrl);
        printDemoAccount(demo);
        // The files development mode generates: production mode needs the secrets given, and this way
        // `up` and `up --dev` share sessions and sealed tenant keys.
        const secret = (variable: string, configured: string | undefined, file: string) =>
          dataDirSecret({ configured, variable, production: false, dataDir, file });
        const secrets = {
          TECHSCANIQ_JWT_SECRET: await secret(
            "TECHSCANIQ_JWT_SECRET",
            env.TECHSCANIQ_JWT_SECRET,
            "jwt-secret",
          ),
          TECHSCANIQ_SECRETS_KEY: await secret(
            "TECHSCANIQ_SECRETS_KEY",
            dbEnv.TECHSCANIQ_SECRETS_KEY,
            "secrets-key",
          ),
        };
        const base = { DATABASE_URL: databaseUrl, PORT: opts.port, NEXT_TELEMETRY_DISABLED: "1", ...secrets };
        const services: ServiceSpec[] = [];
        if (opts.demoIntegrations) {
          const port = await findFreePort(DEMO_INTEGRATIONS_PORT);
          const credentials = demoCredentials();
          const db = createDb(databaseUrl, { max: 1 });
          try {
            const box = createSecretBox(secrets.TECHSCANIQ_SECRETS_KEY);
            const origin = `http://127.0.0.1:${port}`;
            await upsertDemoConnections(db, box, demo.tenant.id, origin, credentials);
          } finally {
            await db.close();
          }
          services.push(demoIntegrationsService(port, credentials));
          console.error(
            `demo integrations: fake APIs on 127.0.0.1:${port}, connections "Demo Jira (fake)" … ` +
              `in tenant ${demo.tenant.slug}; the worker may reach private addresses ` +
              "(TECHSCANIQ_ALLOW_PRIVATE=1)",
          );
        }
        const workerEnv = childEnv({
          ...base,
          NODE_ENV: "development",
          // The fake APIs listen on 127.0.0.1, which the SSRF-safe fetcher refuses otherwise.
          ...(opts.demoIntegrations ? { TECHSCANIQ_ALLOW_PRIVATE: "1" } : {}),
        });
        const webEnv = childEnv({
          ...base,
          NODE_ENV: opts.dev ? "development" : "production",
          // Plain http on this machine: Secure cookies would not come back from every browser.
          SESSION_COOKIE_SECURE: env.SESSION_COOKIE_SECURE ?? "false",
        });
        if (!opts.dev) await ensureWebBuild(webEnv);
        const web = webService(opts.dev ? "dev" : "start", opts.port, webEnv);
        superviseServices([...services, workerService(workerEnv), web], postgres, lock);
      } catch (error) {
        await postgres?.stop();
        await lock.release();
        throw error;
      }
      console.error(`\nTechScanIQ is starting on http://localhost:${opts.port}  (Ctrl-C stops everything)\n`);
    });
}
