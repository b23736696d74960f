import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "@techscaniq/db";
import { createTestDatabase, createTestUser, type TestDatabase, type TestUser } from "@techscaniq/db/testing";
import { TRPCClientError } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import pino from "pino";
import { expect } from "vitest";
import { PEER_ADDRESS_HEADER } from "./auth/client-address";
import { LOCAL_ISSUER, type AuthConfig, type LocalAuthConfig } from "./auth/config";
import { createTechScanClient, type TechScanClientOptions } from "./client";
import { createApiServices } from "./context";
import type { ApiEnv } from "./env";
import { createApiHandler } from "./http";
import type { AppRouter } from "./router";

export interface TestApiServer {
  /** The tRPC endpoint URL, e.g. `http://127.0.0.1:39123/api/trpc`. */
  url: string;
  close(): Promise<void>;
}

const ENDPOINT = "/api/trpc";

async function toFetchRequest(req: IncomingMessage, origin: string, signal: AbortSignal): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  // As apps/web does: the socket's peer, never a value the client sent.
  headers.set(PEER_ADDRESS_HEADER, req.socket.remoteAddress ?? "");
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), {
    method: req.method ?? "GET",
    signal,
    headers,
    ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
  });
}

/**
 * A real HTTP server on 127.0.0.1 (random port) serving the API the way
 * apps/web does, for tests and benchmarks. Logs are silent unless a logger
 * is given; auth defaults to local mode with a random secret.
 */
export async function startTestApiServer(
  db: Db,
  options: {
    /** Default: the test process's environment. */
    env?: ApiEnv;
    auth?: AuthConfig;
    router?: AnyTRPCRouter;
    logger?: pino.Logger;
    authRecheckMs?: number;
    trustedProxies?: number;
  } = {},
): Promise<TestApiServer> {
  const services = await createApiServices({
    db,
    ...(options.env ? { env: options.env } : {}),
    auth: options.auth ?? localTestAuthConfig(),
    logger: options.logger ?? pino({ level: "silent" }),
    trustedProxies: options.trustedProxies ?? 0,
    ...(options.authRecheckMs ? { authRecheckMs: options.authRecheckMs } : {}),
  });
  const handle = createApiHandler({
    services,
    endpoint: ENDPOINT,
    ...(options.router ? { router: options.router } : {}),
  });
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const origin = `http://${req.headers.host ?? "127.0.0.1"}`;
        // A client that goes away (e.g. an SSE subscriber) aborts the request, ending its stream.
        const disconnected = new AbortController();
        res.once("close", () => disconnected.abort());
        const response = await handle(await toFetchRequest(req, origin, disconnected.signal));
        res.writeHead(response.status, Object.fromEntries(response.headers));
        // Streamed, not buffered: subscriptions (SSE) send their events as they happen.
        if (response.body) for await (const chunk of response.body) res.write(chunk);
        res.end();
      } catch {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end("Internal error");
      }
    })();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${ENDPOINT}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Local-mode auth with a fresh random signing secret and the default token lifetimes. */
export function localTestAuthConfig(overrides: Partial<Omit<LocalAuthConfig, "mode">> = {}): LocalAuthConfig {
  return {
    mode: "local",
    jwtSecret: crypto.getRandomValues(new Uint8Array(48)),
    issuer: LOCAL_ISSUER,
    accessTokenTtlSeconds: 15 * 60,
    refreshTokenTtlSeconds: 30 * 86_400,
    refreshTokenReuseIntervalSeconds: 10,
    ...overrides,
  };
}

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
