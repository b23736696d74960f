import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const bin = (name: string) => path.join(repoRoot, "node_modules", ".bin", name);

/** Runs a command to completion with inherited output; resolves to its exit code. */
export function run(command: string, args: string[], opts: SpawnOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit", cwd: repoRoot, ...opts });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Starts a long-running child whose output is prefixed with its name. */
export function startService(
  name: string,
  command: string,
  args: string[],
  opts: SpawnOptions,
): ChildProcess {
  const child = spawn(command, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], ...opts });
  const prefix = `[${name}] `;
  const pipe = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) => {
    let buffered = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) out.write(prefix + line + "\n");
    });
  };
  // A missing binary surfaces as "exit" with a code after this message, not as a crash.
  child.on("error", (err) => process.stderr.write(`${prefix}could not start: ${err.message}\n`));
  pipe(child.stdout, process.stdout);
  pipe(child.stderr, process.stderr);
  return child;
}

export interface DetachedPostgres {
  url: string;
  /** True when another live process (an earlier `up`) runs the server; `stop` then leaves it running. */
  shared: boolean;
  /** Stops the server (unless shared) and waits, bounded, for it. */
  stop(): Promise<void>;
}

/**
 * The embedded Postgres (TECHSCANIQ_DATA_DIR, TECHSCANIQ_PG_PORT) run by
 * postgres-holder.ts in its own process group, so the terminal's Ctrl-C does
 * not reach it: the caller stops it when its clients are gone.
 */
export async function startDetachedPostgres(env: NodeJS.ProcessEnv): Promise<DetachedPostgres> {
  const holderScript = path.join(repoRoot, "apps/cli/src/postgres-holder.ts");
  const holder = spawn(process.execPath, ["--import", "tsx", holderScript], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const output: string[] = [];
  holder.stderr.setEncoding("utf8").on("data", (chunk: string) => output.push(chunk));
  const exited = once(holder, "exit");
  type Started = Pick<DetachedPostgres, "url" | "shared">;
  const started = await new Promise<Started>((resolve, reject) => {
    createInterface({ input: holder.stdout }).once("line", (line) => resolve(JSON.parse(line) as Started));
    void exited.then(([code]) => {
      reject(new Error(`embedded Postgres did not start (exit ${String(code)}): ${output.join("").trim()}`));
    });
  });
  // Its later messages (errors only) still reach the terminal.
  holder.stderr.on("data", (chunk: string) => process.stderr.write(`[postgres] ${chunk}`));
  return {
    ...started,
    async stop() {
      if (holder.exitCode !== null || holder.signalCode !== null) return;
      const timer = setTimeout(() => holder.kill("SIGKILL"), 40_000);
      holder.stdin.end();
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Sends SIGTERM and waits (bounded) for the child to exit, then SIGKILLs it. */
export function stopService(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
