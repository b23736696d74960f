import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Db } from "@techscaniq/db";
import { withServiceTx } from "@techscaniq/db";
import { HEARTBEAT_INTERVAL_MS } from "./heartbeat";
import type { Logger } from "./logger";

/** Three missed beats mean the worker's loop is stuck or it cannot reach the database. */
export const HEARTBEAT_STALE_AFTER_MS = 3 * HEARTBEAT_INTERVAL_MS;

export interface HealthReport {
  status: "ok" | "unhealthy";
  workerId: string;
  checks: {
    database: { ok: boolean; error?: string };
    heartbeat: { ok: boolean; lastSeenAt: string | null; ageSeconds: number | null };
  };
}

export async function checkWorkerHealth(db: Db, workerId: string): Promise<HealthReport> {
  let database: HealthReport["checks"]["database"];
  let heartbeat: HealthReport["checks"]["heartbeat"] = { ok: false, lastSeenAt: null, ageSeconds: null };
  try {
    const row = await withServiceTx(db, (trx) =>
      trx
        .selectFrom("worker_heartbeats")
        .select("last_seen_at")
        .where("worker_id", "=", workerId)
        .executeTakeFirst(),
    );
    database = { ok: true };
    if (row) {
      const lastSeen = new Date(row.last_seen_at);
      const ageMs = Math.max(0, Date.now() - lastSeen.getTime());
      heartbeat = {
        ok: ageMs <= HEARTBEAT_STALE_AFTER_MS,
        lastSeenAt: lastSeen.toISOString(),
        ageSeconds: ageMs / 1000,
      };
    }
  } catch (error) {
    database = { ok: false, error: error instanceof Error ? error.message : "database unreachable" };
  }
  return {
    status: database.ok && heartbeat.ok ? "ok" : "unhealthy",
    workerId,
    checks: { database, heartbeat },
  };
}

export interface HealthServerOptions {
  db: Db;
  workerId: string;
  host: string;
  port: number;
  logger: Logger;
  /** False while starting and once shutdown has begun. */
  isReady: () => boolean;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/** `/health` (dependencies), `/ready` (taking jobs), `/live` (process responsive), as on the web app. */
export async function startHealthServer({
  db,
  workerId,
  host,
  port,
  logger,
  isReady,
}: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      response.end(JSON.stringify(body));
    };
    const path = new URL(request.url ?? "/", "http://worker").pathname;
    if (request.method !== "GET" && request.method !== "HEAD")
      return send(405, { error: "only GET is supported" });
    if (path === "/live") return send(200, { status: "ok", workerId });
    if (path === "/ready")
      return isReady() ? send(200, { status: "ok", workerId }) : send(503, { status: "not ready", workerId });
    if (path === "/health") {
      checkWorkerHealth(db, workerId).then(
        (report) => send(report.status === "ok" ? 200 : 503, report),
        (error: unknown) => {
          logger.error({ err: error }, "health check failed");
          send(503, { status: "unhealthy", workerId });
        },
      );
      return;
    }
    send(404, { error: `no such endpoint: ${path}; try /health, /ready or /live` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
