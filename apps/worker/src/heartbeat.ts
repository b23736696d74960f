import { hostname } from "node:os";
import type { Db } from "@techscaniq/db";
import { withServiceTx } from "@techscaniq/db";
import type { Logger } from "./logger";

export const HEARTBEAT_INTERVAL_MS = 10_000;

export interface Heartbeat {
  /** Writes one beat now (also used for the first one, so start-up fails loudly without a database). */
  beat(): Promise<void>;
  /** Stops beating and removes this worker's row: a cleanly stopped worker is not a stale one. */
  stop(): Promise<void>;
}

export interface HeartbeatOptions {
  db: Db;
  workerId: string;
  logger: Logger;
  info: Record<string, unknown>;
  intervalMs?: number;
}

export async function startHeartbeat({
  db,
  workerId,
  logger,
  info,
  intervalMs = HEARTBEAT_INTERVAL_MS,
}: HeartbeatOptions): Promise<Heartbeat> {
  const startedAt = new Date();
  const row = { worker_id: workerId, hostname: hostname(), pid: process.pid, info: JSON.stringify(info) };

  const beat = async () => {
    await withServiceTx(db, (trx) =>
      trx
        .insertInto("worker_heartbeats")
        .values({ ...row, started_at: startedAt, last_seen_at: new Date() })
        .onConflict((conflict) =>
          conflict.column("worker_id").doUpdateSet({
            hostname: row.hostname,
            pid: row.pid,
            info: row.info,
            started_at: startedAt,
            last_seen_at: new Date(),
          }),
        )
        .execute(),
    );
  };

  await beat();
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = beat().catch((error: unknown) => logger.error({ err: error }, "heartbeat write failed"));
  }, intervalMs);

  return {
    beat,
    stop: async () => {
      clearInterval(timer);
      await inFlight;
      await withServiceTx(db, (trx) =>
        trx.deleteFrom("worker_heartbeats").where("worker_id", "=", workerId).execute(),
      );
    },
  };
}
