import { randomUUID } from "node:crypto";
import type { Db } from "@techscaniq/db";
import pino, { type Logger } from "pino";
import { createAuthenticator, type Authenticator } from "./auth/authenticate";
import { clientAddressFrom } from "./auth/client-address";
import { loadAuthConfig, type AuthConfig } from "./auth/config";
import { SignInThrottle } from "./auth/sign-in-throttle";
import { loadApiEnv } from "./env";
import type { Context } from "./trpc";

/** What every request shares: the database, the auth settings (with the JWKS cache) and the root logger. */
export interface ApiServices {
  db: Db;
  authConfig: AuthConfig;
  authenticate: Authenticator;
  signInThrottle: SignInThrottle;
  logger: Logger;
  /** How often an open subscription re-checks its credentials; a revoked or expired one is ended. */
  authRecheckMs: number;
  /** Proxies in front of the app that append to X-Forwarded-For (0: the socket's peer is the client). */
  trustedProxies: number;
}

/** Well inside the promise that a signed-out session stops receiving events within 60 s. */
const AUTH_RECHECK_MS = 30_000;

export async function createApiServices(options: {
  db: Db;
  auth?: AuthConfig;
  logger?: Logger;
  authRecheckMs?: number;
  trustedProxies?: number;
}): Promise<ApiServices> {
  const env = options.auth && options.logger && options.trustedProxies !== undefined ? null : loadApiEnv();
  const authConfig = options.auth ?? (await loadAuthConfig(env ?? loadApiEnv()));
  const logger = options.logger ?? pino({ level: env?.LOG_LEVEL ?? "info", base: { service: "api" } });
  return {
    db: options.db,
    authConfig,
    authenticate: createAuthenticator(options.db, authConfig),
    signInThrottle: new SignInThrottle(options.db),
    logger,
    authRecheckMs: options.authRecheckMs ?? AUTH_RECHECK_MS,
    trustedProxies: options.trustedProxies ?? env?.TECHSCANIQ_TRUSTED_PROXIES ?? 0,
  };
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** An incoming `x-request-id` (from a proxy or the caller) is kept, so logs correlate across hops. */
export function requestIdFrom(headers: Headers): string {
  const incoming = headers.get("x-request-id");
  return incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
}

export async function createContext(options: {
  req: Request;
  services: ApiServices;
  requestId?: string;
}): Promise<Context> {
  const { req, services } = options;
  const requestId = options.requestId ?? requestIdFrom(req.headers);
  const { subject, failure } = await services.authenticate(req.headers);
  return {
    db: services.db,
    authConfig: services.authConfig,
    signInThrottle: services.signInThrottle,
    requestId,
    logger: services.logger.child({
      requestId,
      ...(subject ? { userId: subject.userId, apiKeyId: subject.apiKeyId ?? undefined } : {}),
    }),
    subject,
    authFailure: failure,
    tenantHeader: req.headers.get("x-tenant-id")?.trim() || null,
    client: {
      userAgent: req.headers.get("user-agent"),
      ip: clientAddressFrom(req.headers, services.trustedProxies),
    },
    authRecheckMs: services.authRecheckMs,
    reauthenticate: async () => (await services.authenticate(req.headers)).subject,
  };
}
