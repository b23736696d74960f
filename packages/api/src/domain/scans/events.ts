import { EventEmitter, on } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { EVENTS_CHANNEL, isConnectionError, withRlsTx, type Db, type JwtClaims } from "@techscaniq/db";

/** Event types after which a scan emits nothing more (until a retry). */
export const TERMINAL_SCAN_EVENTS = new Set([
  "scan.completed",
  "scan.failed",
  "scan.cancelled",
  "scan.deleted",
]);

/** The part of a pg pool client the hub uses. */
interface ListenClient {
  query(text: string): Promise<unknown>;
  release(destroy?: boolean): void;
  on(event: "notification", listener: (message: { payload?: string | undefined }) => void): unknown;
  on(event: "error" | "end", listener: () => void): unknown;
}

/** Waits between attempts to reach a database that went away (restart, failover), doubling up to the cap. */
const RECONNECT_FIRST_MS = 500;
const RECONNECT_MAX_MS = 10_000;

/**
 * One LISTEN connection per process (per database), shared by every open
 * subscription: NOTIFY only says "tenant T has event N"; subscribers then
 * read events through RLS, so a notification never leaks data by itself.
 */
class EventHub {
  readonly #emitter = new EventEmitter();
  #client: ListenClient | null = null;
  #connecting: Promise<void> | null = null;
  #subscribers = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  /** Clients already given back to the pool (pg throws on a second release). */
  readonly #released = new WeakSet<ListenClient>();

  constructor(private readonly db: Db) {
    this.#emitter.setMaxListeners(0);
  }

  async subscribe(tenantId: string, signal: AbortSignal): Promise<AsyncIterator<unknown[]>> {
    this.#subscribers += 1;
    const iterator = on(this.#emitter, tenantId, { signal });
    signal.addEventListener("abort", () => this.#release(), { once: true });
    await this.#connect();
    return iterator;
  }

  async #connect(): Promise<void> {
    this.#connecting ??= (async () => {
      // Held for the hub's lifetime, returned (destroyed) when the last subscriber leaves.
      const client: ListenClient = await this.db.pool.connect();
      client.on("notification", (message) => {
        if (!message.payload) return;
        const payload = JSON.parse(message.payload) as { id: number; tenant_id: string | null };
        if (payload.tenant_id) this.#emitter.emit(payload.tenant_id, payload.id);
      });
      // A lost LISTEN connection (database restart, failover) is re-made while anyone listens.
      client.on("error", () => this.#lost(client));
      client.on("end", () => this.#lost(client));
      try {
        await client.query(`listen ${EVENTS_CHANNEL}`);
      } catch (error) {
        this.#lost(client);
        throw error;
      }
      this.#client = client;
    })().catch((error: unknown) => {
      this.#connecting = null;
      throw error;
    });
    return this.#connecting;
  }

  #reset(client: ListenClient) {
    if (this.#client === client) {
      this.#client = null;
      this.#connecting = null;
    }
  }

  /** The connection died: give its pool slot back, and listen again soon if anyone still waits. */
  #lost(client: ListenClient) {
    const wasCurrent = this.#client === client;
    this.#reset(client);
    if (!this.#released.has(client)) {
      this.#released.add(client);
      client.release(true);
    }
    if (wasCurrent) this.#reconnectSoon(RECONNECT_FIRST_MS);
  }

  #reconnectSoon(delayMs: number) {
    if (this.#reconnectTimer || this.#subscribers === 0) return;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#subscribers === 0 || this.#client) return;
      this.#connect().then(
        // Wake every subscriber: what was notified while nobody listened is read now.
        () => this.#emitter.eventNames().forEach((tenantId) => this.#emitter.emit(tenantId, 0)),
        () => this.#reconnectSoon(Math.min(delayMs * 2, RECONNECT_MAX_MS)),
      );
    }, delayMs);
    this.#reconnectTimer.unref();
  }

  #release() {
    this.#subscribers -= 1;
    if (this.#subscribers === 0) {
      clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = undefined;
    }
    if (this.#subscribers === 0 && this.#client) {
      const client = this.#client;
      this.#reset(client);
      this.#released.add(client);
      void client
        .query(`unlisten ${EVENTS_CHANNEL}`)
        .finally(() => client.release(true))
        .catch(() => undefined);
    }
  }
}

const hubs = new WeakMap<Db, EventHub>();

function hubFor(db: Db): EventHub {
  let hub = hubs.get(db);
  if (!hub) {
    hub = new EventHub(db);
    hubs.set(db, hub);
  }
  return hub;
}

/** Safety net for a missed NOTIFY (e.g. while the LISTEN connection reconnects). */
const POLL_MS = 5000;
const BATCH = 200;

/** A kind of event stream: its type prefix, and the types after which a subject emits nothing more. */
export interface EventFamily {
  prefix: string;
  terminal: ReadonlySet<string>;
}

export const SCAN_EVENTS: EventFamily = { prefix: "scan.", terminal: TERMINAL_SCAN_EVENTS };

export interface StreamedEvent {
  id: string;
  type: string;
  subject: string;
  createdAt: string;
  data: Record<string, unknown>;
}

/** `LIKE` treats `_` and `%` as wildcards: `agent_run.` must match itself only. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;

/**
 * Events of one family of one tenant (optionally about one subject) after
 * `afterId`, in id order, read through RLS with the subscriber's claims each
 * time: a user never receives another tenant's events, even if told their ids.
 * With a subject, the stream ends after the family's terminal event.
 */
export async function* streamEvents(options: {
  db: Db;
  claims: JwtClaims;
  tenantId: string;
  family: EventFamily;
  subject: string | null;
  afterId: string;
  signal: AbortSignal;
}): AsyncGenerator<StreamedEvent> {
  const { db, claims, tenantId, family, subject, signal } = options;
  const wake = await hubFor(db).subscribe(tenantId, signal);
  let afterId = options.afterId;
  let retryMs = RECONNECT_FIRST_MS;
  while (!signal.aborted) {
    const rows = await withRlsTx(
      db,
      claims,
      (tx) => {
        let query = tx
          .selectFrom("events")
          .select(["id", "type", "subject", "data", "created_at"])
          .where("tenant_id", "=", tenantId)
          .where("type", "like", likePrefix(family.prefix))
          .where("id", ">", afterId)
          .orderBy("id")
          .limit(BATCH);
        if (subject) query = query.where("subject", "=", subject);
        return query.execute();
      },
      { tenantId },
    ).catch(async (error: unknown) => {
      // The database is restarting: wait and read again from the same id, so nothing is lost or repeated.
      if (!isConnectionError(error) || signal.aborted) throw error;
      await sleep(retryMs, undefined, { signal }).catch(() => undefined);
      retryMs = Math.min(retryMs * 2, RECONNECT_MAX_MS);
      return null;
    });
    if (rows === null) continue;
    retryMs = RECONNECT_FIRST_MS;
    for (const row of rows) {
      afterId = row.id;
      yield {
        id: row.id,
        type: row.type,
        subject: row.subject,
        createdAt: row.created_at.toISOString(),
        data: row.data as Record<string, unknown>,
      };
      if (subject && family.terminal.has(row.type)) return;
    }
    if (rows.length === BATCH) continue;
    // Wait for a NOTIFY of this tenant, or the poll interval.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      wake.next(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, POLL_MS);
      }),
    ]).catch(() => undefined);
    clearTimeout(timer);
  }
}

/** The newest event id, so a tenant-wide subscription without `lastEventId` starts from now. */
export async function latestEventId(db: Db, claims: JwtClaims, tenantId: string): Promise<string> {
  const row = await withRlsTx(
    db,
    claims,
    (tx) =>
      tx
        .selectFrom("events")
        .select((eb) => eb.fn.max("id").as("id"))
        .where("tenant_id", "=", tenantId)
        .executeTakeFirst(),
    { tenantId },
  );
  return row?.id ?? "0";
}
