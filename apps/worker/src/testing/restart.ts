import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { findFreePort, startEmbeddedPostgres, type RunningPostgres } from "@techscaniq/db/embedded";
import { migrate } from "@techscaniq/db/migrate";

/** Test-only: a migrated Postgres of its own, so restarting it disturbs no other test. */
export interface RestartablePostgres {
  /** Superuser URL of its (migrated) `postgres` database; the same across restarts. */
  url: string;
  /** Stops the server (every connection drops) and starts it again on the same data and port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const root = await mkdtemp(path.join(tmpdir(), "tsiq-restart-"));
  const options = { dataDir: path.join(root, "postgres"), port: await findFreePort(55_400), ephemeral: true };
  let server: RunningPostgres = await startEmbeddedPostgres(options);
  await migrate(server.url);
  return {
    url: server.url,
    restart: async () => {
      await server.stop();
      server = await startEmbeddedPostgres(options);
    },
    stop: async () => {
      await server.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
