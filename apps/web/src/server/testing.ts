import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "@techscaniq/db/testing";
import { NextRequest, type NextResponse } from "next/server";

/** For route handler tests: the origin the requests claim, and the headers our own pages send. */
export const TEST_ORIGIN = "http://127.0.0.1:3000";
export const SAME_ORIGIN_JSON = {
  origin: TEST_ORIGIN,
  "sec-fetch-site": "same-origin",
  "content-type": "application/json",
};

export function postRequest(
  pathname: string,
  headers: Record<string, string>,
  body: unknown = {},
): NextRequest {
  return new NextRequest(`${TEST_ORIGIN}${pathname}`, {
    method: "POST",
    headers: { host: "127.0.0.1:3000", ...headers },
    body: JSON.stringify(body),
  });
}

export function getRequest(pathname: string, headers: Record<string, string>): NextRequest {
  return new NextRequest(`${TEST_ORIGIN}${pathname}`, { headers: { host: "127.0.0.1:3000", ...headers } });
}

/** The cookies a response set (not the cleared ones), as a request's Cookie header. */
export function cookieHeader(response: NextResponse): string {
  return response.cookies
    .getAll()
    .filter((cookie) => cookie.value)
    .map((cookie) => `${cookie.name}=${cookie.value}`)
    .join("; ");
}

/**
 * A migrated test database and a data folder (for the generated signing
 * secret) in the environment the routes and the in-process API read once per
 * process; import the routes after this.
 */
export async function routeTestEnvironment(): Promise<{ database: TestDatabase; close(): Promise<void> }> {
  const database = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), "techscaniq-web-routes-"));
  Object.assign(process.env, {
    DATABASE_URL: database.url,
    TECHSCANIQ_DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
  });
  return {
    database,
    async close() {
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
