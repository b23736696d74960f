import { startTestServer, type TestServer } from "./testing";

/**
 * vitest `globalSetup`: one Postgres (with the migrated template) for the
 * whole run, handed to every worker through TECHSCANIQ_TEST_PG_URL.
 * Use it in a package's vitest config:
 *   globalSetup: ["@techscaniq/db/test-global-setup"]
 * When the root config runs several packages as projects in one process,
 * each project calls this; they share one server (counted on globalThis,
 * since vitest may load this module once per project).
 */
const key = Symbol.for("techscaniq.test-postgres");
type Shared = { server: Promise<TestServer>; users: number };
const registry = globalThis as unknown as Record<symbol, Shared | undefined>;

export default async function setup(): Promise<() => Promise<void>> {
  const shared = (registry[key] ??= { server: startTestServer(), users: 0 });
  shared.users += 1;
  const server = await shared.server;
  process.env.TECHSCANIQ_TEST_PG_URL = server.url;
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    registry[key] = undefined;
    delete process.env.TECHSCANIQ_TEST_PG_URL;
    await server.stop();
  };
}
