import { randomUUID } from "node:crypto";
import type { Db } from "@techscaniq/db";
import { loadSecretBox, type SecretBox } from "@techscaniq/db/secrets";
import { storageFromEnv, type ObjectStorage } from "@techscaniq/db/storage";
import pino, { type Logger } from "pino";
import { createAuthenticator, type Authenticator } from "./auth/authenticate";
import { clientAddressFrom } from "./auth/client-address";
import { loadAuthConfig, type AuthConfig } from "./auth/config";
import { SignInThrottle } from "./auth/sign-in-throttle";
import { loadApiEnv, type ApiEnv } from "./env";
import type { Context } from "./trpc";

/** What every request shares: the database, the auth settings (with the JWKS cache) and the root logger. */
export interface ApiServices {
  db: Db;
  /** Parsed once, when the services are created. */
  env: ApiEnv;
  /** Where the worker stores screenshots, artifacts and report exports. */
  storage: ObjectStorage;
  /** The deployment's secret box (tenants' AI keys), loaded on first use; a failed load is retried. */
  secretBox(): Promise<SecretBox>;
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
  /** Default: parsed from the process environment, here, once. */
  env?: ApiEnv;
  auth?: AuthConfig;
  logger?: Logger;
  authRecheckMs?: number;
  trustedProxies?: number;
}): Promise<ApiServices> {
  const env = options.env ?? loadApiEnv();
  const authConfig = options.auth ?? (await loadAuthConfig(env));
  const logger = options.logger ?? pino({ level: env.LOG_LEVEL, base: { service: "api" } });
  let secretBox: Promise<SecretBox> | undefined;
  return {
    db: options.db,
    env,
    storage: storageFromEnv(env.db),
    secretBox: () =>
      (secretBox ??= loadSecretBox(env.db).catch((error: unknown) => {
        secretBox = undefined;
        throw error;
      })),
    authConfig,
    authenticate: createAuthenticator(options.db, authConfig),
    signInThrottle: new SignInThrottle(options.db),
    logger,
    authRecheckMs: options.authRecheckMs ?? AUTH_RECHECK_MS,
    trustedProxies: options.trustedProxies ?? env.TECHSCANIQ_TRUSTED_PROXIES,
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
    env: services.env,
    storage: services.storage,
    secretBox: services.secretBox,
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
