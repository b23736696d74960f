import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import type { Db } from "@techscaniq/db";
import pino, { type Logger } from "pino";
import { createAuthenticator, type Authenticator } from "./auth/authenticate";
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
}

/** Well inside the promise that a signed-out session stops receiving events within 60 s. */
const AUTH_RECHECK_MS = 30_000;

export async function createApiServices(options: {
  db: Db;
  auth?: AuthConfig;
  logger?: Logger;
  authRecheckMs?: number;
}): Promise<ApiServices> {
  const env = options.auth && options.logger ? null : loadApiEnv();
  const authConfig = options.auth ?? (await loadAuthConfig(env ?? loadApiEnv()));
  const logger = options.logger ?? pino({ level: env?.LOG_LEVEL ?? "info", base: { service: "api" } });
  return {
    db: options.db,
    authConfig,
    authenticate: createAuthenticator(options.db, authConfig),
    signInThrottle: new SignInThrottle(),
    logger,
    authRecheckMs: options.authRecheckMs ?? AUTH_RECHECK_MS,
  };
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** An incoming `x-request-id` (from a proxy or the caller) is kept, so logs correlate across hops. */
export function requestIdFrom(headers: Headers): string {
  const incoming = headers.get("x-request-id");
  return incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
}

/** The first `x-forwarded-for` address, recorded on sessions; set by the proxy in front of the app. */
function clientIpFrom(headers: Headers): string | null {
  const first = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return first && isIP(first) ? first : null;
}

export async function createContext(options: { req: Request; services: ApiServices; requestId?: string }): Promise<Context> {
  const { req, services } = options;
  const requestId = options.requestId ?? requestIdFrom(req.headers);
  const { subject, failure } = await services.authenticate(req.headers);
  return {
    db: services.db,
    authConfig: services.authConfig,
    signInThrottle: services.signInThrottle,
    requestId,
    logger: services.logger.child({ requestId, ...(subject ? { userId: subject.userId, apiKeyId: subject.apiKeyId ?? undefined } : {}) }),
    subject,
    authFailure: failure,
    tenantHeader: req.headers.get("x-tenant-id")?.trim() || null,
    client: { userAgent: req.headers.get("user-agent"), ip: clientIpFrom(req.headers) },
    authRecheckMs: services.authRecheckMs,
    reauthenticate: async () => (await services.authenticate(req.headers)).subject,
  };
}
