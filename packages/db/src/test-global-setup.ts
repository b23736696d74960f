import { startTestServer } from "./testing";

/**
 * vitest `globalSetup`: one Postgres (with the migrated template) for the
 * whole run, handed to every worker through TECHSCANIQ_TEST_PG_URL.
 * Use it in a package's vitest config:
 *   globalSetup: ["@techscaniq/db/test-global-setup"]
 */
export default async function setup(): Promise<() => Promise<void>> {
  const server = await startTestServer();
  process.env.TECHSCANIQ_TEST_PG_URL = server.url;
  return async () => {
    delete process.env.TECHSCANIQ_TEST_PG_URL;
    await server.stop();
  };
}
