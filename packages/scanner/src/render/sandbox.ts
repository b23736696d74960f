import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);
const PROBE_TIMEOUT_MS = 10_000;

export interface BrowserUser {
  name: string;
  uid: number;
  gid: number;
}

/** How the browser that renders untrusted pages is confined on this machine. */
export interface BrowserSandbox {
  /** Chromium runs with its own sandbox (namespaces + seccomp). */
  sandboxed: boolean;
  /** The unprivileged OS user the browser runs as, when the scanner itself runs as root. */
  user: BrowserUser | null;
  /** Why the browser is less confined than it should be; null when it is fully confined. */
  warning: string | null;
}

/** `setpriv` arguments that drop root to `user` with no supplementary groups. */
export function dropPrivilegesArgs(user: BrowserUser): string[] {
  return [`--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups"];
}

function failure(error: unknown): string {
  const { stderr, message } = error as { stderr?: string; message: string };
  return (stderr?.trim() || message).split("\n")[0]!;
}

async function lookupUser(name: string): Promise<BrowserUser> {
  const id = async (flag: string) =>
    Number((await run("id", [flag, name], { timeout: PROBE_TIMEOUT_MS })).stdout.trim());
  return { name, uid: await id("-u"), gid: await id("-g") };
}

/**
 * Chromium refuses its sandbox as root, so as root the browser runs as TECHSCANIQ_BROWSER_USER.
 * The sandbox needs user, PID and network namespaces, which containers often forbid: the probe
 * creates them as the browser's user, exactly as Chromium would.
 */
async function probe(name: string): Promise<BrowserSandbox> {
  let user: BrowserUser | null = null;
  if (process.getuid?.() === 0) {
    try {
      user = await lookupUser(name);
    } catch (error) {
      return {
        sandboxed: false,
        user: null,
        warning: `the browser runs as root without its sandbox: no user ${name} (${failure(error)})`,
      };
    }
    if (user.uid === 0) {
      return {
        sandboxed: false,
        user: null,
        warning: `the browser runs as root without its sandbox: TECHSCANIQ_BROWSER_USER ${name} is root`,
      };
    }
  }
  const unshare = ["unshare", "--user", "--pid", "--net", "--fork", "true"];
  try {
    if (user)
      await run("setpriv", [...dropPrivilegesArgs(user), "--", ...unshare], { timeout: PROBE_TIMEOUT_MS });
    else await run(unshare[0]!, unshare.slice(1), { timeout: PROBE_TIMEOUT_MS });
  } catch (error) {
    if (user && (error as NodeJS.ErrnoException).code === "ENOENT") {
      return {
        sandboxed: false,
        user: null,
        warning: "the browser runs as root without its sandbox: setpriv (util-linux) is not installed",
      };
    }
    return {
      sandboxed: false,
      user,
      warning: `the browser runs without its sandbox: user namespaces are unavailable (${failure(error)})`,
    };
  }
  return { sandboxed: true, user, warning: null };
}

let verdict: Promise<BrowserSandbox> | null = null;

/** What this machine allows for the browser's user (TECHSCANIQ_BROWSER_USER), probed once per process. */
export function browserSandbox(user: string): Promise<BrowserSandbox> {
  verdict ??= probe(user);
  return verdict;
}

/** Chromium started but its sandbox did not: remember it, so later launches go straight to the fallback. */
export function sandboxFailed(previous: BrowserSandbox, reason: string): BrowserSandbox {
  const fallback = {
    ...previous,
    sandboxed: false,
    warning: `the browser runs without its sandbox: Chromium could not start it (${reason})`,
  };
  verdict = Promise.resolve(fallback);
  return fallback;
}
