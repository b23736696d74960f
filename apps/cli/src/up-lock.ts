import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * One `up` per data directory. `<dataDir>/up.lock` names the running `up`
 * (pid and web port): a second `up` would rebuild the web app under the
 * running one and then fail on the port, and `db reset` would wipe the data
 * under it, so both refuse up front. A lock whose pid is gone (a killed `up`)
 * is stale and taken over.
 */

export interface UpLock {
  pid: number;
  port: string;
}

const lockFile = (dataDir: string) => path.join(dataDir, "up.lock");

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's process.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The `up` running from this data directory, or null. */
export async function runningUp(dataDir: string): Promise<UpLock | null> {
  const text = await readFile(lockFile(dataDir), "utf8").catch(() => null);
  if (text === null) return null;
  const [pid, port] = text.trim().split(/\s+/);
  const lock = { pid: Number(pid), port: port ?? "?" };
  return Number.isInteger(lock.pid) && lock.pid > 0 && lock.pid !== process.pid && isAlive(lock.pid)
    ? lock
    : null;
}

export function alreadyRunningMessage(dataDir: string, lock: UpLock, doing: string): string {
  return (
    `${doing}: TechScanIQ is already running from ${dataDir} (pid ${lock.pid}, http://localhost:${lock.port}). ` +
    "Stop it first (Ctrl-C in its terminal), or give this one its own TECHSCANIQ_DATA_DIR."
  );
}

/** Claims the data directory for this `up`; throws when another live `up` holds it. */
export async function claimUpLock(dataDir: string, port: string): Promise<{ release(): Promise<void> }> {
  const running = await runningUp(dataDir);
  if (running) throw new Error(alreadyRunningMessage(dataDir, running, "not starting"));
  await mkdir(dataDir, { recursive: true });
  await writeFile(lockFile(dataDir), `${process.pid} ${port}\n`, { mode: 0o600 });
  return {
    async release() {
      const text = await readFile(lockFile(dataDir), "utf8").catch(() => "");
      if (Number(text.trim().split(/\s+/)[0]) === process.pid) await rm(lockFile(dataDir), { force: true });
    },
  };
}
