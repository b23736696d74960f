import type { Command } from "commander";
import { loadDbEnv, migrate, resetDatabase, seed, resolveDatabaseUrl, type SeedResult } from "@techscaniq/db";
import { alreadyRunningMessage, runningUp } from "../up-lock";

/** Runs `fn` against DATABASE_URL, or the embedded Postgres started (and stopped) for the occasion. */
async function withDatabase(fn: (url: string) => Promise<void>): Promise<void> {
  const database = await resolveDatabaseUrl();
  try {
    await fn(database.url);
  } finally {
    await database.stop();
  }
}

/** The demo password exists only on the seed that created the user: show it then, once. */
export function printDemoAccount(demo: SeedResult): void {
  if (demo.password === null) return;
  console.error("\nDemo account (shown once, keep it):");
  console.error(`  tenant:   ${demo.tenant.slug}`);
  console.error(`  e-mail:   ${demo.user.email}`);
  console.error(`  password: ${demo.password}\n`);
}

export function registerDbCommands(program: Command): void {
  const db = program
    .command("db")
    .description("database maintenance (DATABASE_URL or the embedded Postgres)");
  db.command("migrate")
    .description("apply pending migrations from supabase/migrations")
    .action(() =>
      withDatabase(async (url) => {
        const { applied } = await migrate(url);
        console.error(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
      }),
    );
  db.command("reset")
    .description("drop every table of the project, then migrate and seed again")
    .option("--yes", "do not ask (required when not interactive)")
    .action(async (opts: { yes?: boolean }) => {
      if (!opts.yes) throw new Error("db reset deletes all data: pass --yes to confirm");
      const dataDir = loadDbEnv().TECHSCANIQ_DATA_DIR;
      const running = await runningUp(dataDir);
      if (running) throw new Error(alreadyRunningMessage(dataDir, running, "not resetting the database"));
      await withDatabase(async (url) => {
        await resetDatabase(url);
        await migrate(url);
        printDemoAccount(await seed(url));
      });
    });
  db.command("seed")
    .description("create the demo tenant and user when missing")
    .action(() =>
      withDatabase(async (url) => {
        const demo = await seed(url);
        if (demo.password === null) console.error("demo data already present");
        printDemoAccount(demo);
      }),
    );
}
