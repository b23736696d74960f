import { createTestDatabase, createTestUser, type TestDatabase, type TestUser } from "@techscaniq/db/testing";
import { TRPCClientError } from "@trpc/client";
import { expect } from "vitest";
import type { AuthConfig } from "./auth/config";
import { createTechScanClient, type TechScanClientOptions } from "./client";
import type { ApiEnv } from "./env";
import type { AppRouter } from "./router";
import { localTestAuthConfig, startTestApiServer, type TestApiServer } from "./testing";

/** Test-only: a migrated database of its own, the API over real HTTP, and typed clients. */
export interface ApiTestBed {
  database: TestDatabase;
  server: TestApiServer;
  auth: AuthConfig;
  client(options?: Omit<TechScanClientOptions, "url">): ReturnType<typeof createTechScanClient>;
  /** A new user (in auth.users), signed in over HTTP. */
  signedInUser(): Promise<SignedInUser>;
  close(): Promise<void>;
}

export interface SignedInUser extends TestUser {
  accessToken: string;
  refreshToken: string;
}

export async function startApiTestBed(
  options: { auth?: AuthConfig; authRecheckMs?: number; env?: ApiEnv } = {},
): Promise<ApiTestBed> {
  const database = await createTestDatabase();
  const auth = options.auth ?? localTestAuthConfig();
  const server = await startTestApiServer(database.db, {
    auth,
    ...(options.env ? { env: options.env } : {}),
    ...(options.authRecheckMs ? { authRecheckMs: options.authRecheckMs } : {}),
  });
  const client = (clientOptions: Omit<TechScanClientOptions, "url"> = {}) =>
    createTechScanClient({ url: server.url, ...clientOptions });
  return {
    database,
    server,
    auth,
    client,
    async signedInUser() {
      const user = await createTestUser(database.db);
      const session = await client().auth.signIn.mutate({ email: user.email, password: user.password });
      return { ...user, accessToken: session.accessToken, refreshToken: session.refreshToken };
    },
    async close() {
      await server.close();
      await database.drop();
    },
  };
}

/** Awaits a call that must fail with this tRPC code (and message, when given); returns the error. */
export async function expectTrpcError(
  call: Promise<unknown>,
  code: string,
  message?: string | RegExp,
): Promise<TRPCClientError<AppRouter>> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, `expected ${code}, but the call succeeded`).toBeInstanceOf(TRPCClientError);
  const trpcError = error as TRPCClientError<AppRouter>;
  expect({ code: trpcError.data?.code, message: trpcError.message }).toMatchObject({ code });
  if (message !== undefined) expect(trpcError.message).toMatch(message);
  return trpcError;
}
