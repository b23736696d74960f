import type { Command } from "commander";
import { migrate, seed, startEmbeddedPostgres } from "@techscaniq/db";
import { env, childEnv } from "../env";
import { printDemoAccount } from "./db";
import { repoRoot, startService, stopService } from "../process";
import path from "node:path";

export function registerUpCommand(program: Command): void {
  program
    .command("up")
    .description("run the whole product: embedded Postgres (unless DATABASE_URL), migrations, demo seed, web app and worker")
    .option("--port <port>", "web port", String(env.PORT))
    .action(async (opts: { port: string }) => {
      const embedded = env.DATABASE_URL ? null : await startEmbeddedPostgres();
      const databaseUrl = env.DATABASE_URL ?? embedded!.url;
      console.error(embedded ? "postgres: embedded (data in .data/postgres)" : "postgres: DATABASE_URL");

      await migrate(databaseUrl);
      printDemoAccount(await seed(databaseUrl));

      const serviceEnv = childEnv({
        DATABASE_URL: databaseUrl,
        PORT: opts.port,
        NODE_ENV: "development",
        NEXT_TELEMETRY_DISABLED: "1",
      });
      const worker = startService("worker", process.execPath, ["--import", "tsx", path.join(repoRoot, "apps/worker/src/main.ts")], {
        env: serviceEnv,
      });
      const web = startService("web", path.join(repoRoot, "apps/web/node_modules/.bin/next"), ["dev", "--port", opts.port, "--hostname", "127.0.0.1"], {
        cwd: path.join(repoRoot, "apps/web"),
        env: serviceEnv,
      });
      console.error(`\nTechScanIQ is starting on http://localhost:${opts.port}  (Ctrl-C stops everything)\n`);

      let stopping = false;
      const stop = async (code: number) => {
        if (stopping) return;
        stopping = true;
        console.error("\nstopping…");
        await Promise.all([stopService(web), stopService(worker)]);
        await embedded?.stop();
        process.exit(code);
      };
      process.on("SIGINT", () => void stop(0));
      process.on("SIGTERM", () => void stop(0));
      for (const [name, child] of [["web", web], ["worker", worker]] as const) {
        child.on("exit", (code) => {
          if (!stopping) {
            console.error(`${name} exited with code ${code}; stopping the rest`);
            void stop(code ?? 1);
          }
        });
      }
    });
}
