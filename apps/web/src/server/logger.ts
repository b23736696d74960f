import { randomUUID } from "node:crypto";
import { pino, type Logger } from "pino";
import { webEnvFromProcess } from "../env";

export type { Logger };

export const REQUEST_ID_HEADER = "x-request-id";

const holder = globalThis as typeof globalThis & { __techscaniqWebLogger?: Logger };

export function baseLogger(): Logger {
  holder.__techscaniqWebLogger ??= pino({ level: webEnvFromProcess().LOG_LEVEL, base: { service: "web" } });
  return holder.__techscaniqWebLogger;
}

/** Keeps a caller's (load balancer's) request id when it is sane, otherwise makes one. */
export function requestIdFrom(headers: Headers): string {
  const incoming = headers.get(REQUEST_ID_HEADER);
  return incoming && /^[\w.:-]{8,128}$/.test(incoming) ? incoming : randomUUID();
}

export interface RequestLogFields {
  requestId: string;
  userId: string | null;
  tenantId: string | null;
}

/** Every line logged for a request carries its id, user and tenant. */
export function requestLogger(fields: RequestLogFields): Logger {
  return baseLogger().child(fields);
}
