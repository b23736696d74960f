import { sql, withServiceTx } from "@techscaniq/db";
import {
  createRlsWorld,
  describeRlsMatrix,
  type RlsActor as Actor,
  type RlsTableCase,
  type RlsWorld,
} from "@techscaniq/db/rls-matrix";
import { createTestDatabase, type TestDatabase } from "@techscaniq/db/testing";
import { afterAll, beforeAll } from "vitest";

/**
 * integrations: another tenant cannot see connections, endpoints or deliveries. Every member reads
 * them; owners and admins (and admin keys) manage connections and endpoints; deliveries are the
 * worker's to write. Sealed columns are never readable by a request, not even by an admin.
 */

interface World extends RlsWorld {
  connectionA: string;
  endpointA: string;
  deliveryA: string;
}

const READERS: Actor[] = ["ownerA", "adminA", "memberA", "viewerA", "keyAdminA", "keyWriteA", "keyReadA"];
const ADMINS: Actor[] = ["ownerA", "adminA", "keyAdminA"];

const changed = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }[]) =>
  Number(result[0]?.numUpdatedRows ?? result[0]?.numDeletedRows ?? 0);
const userOf = (world: World, actor: Actor) =>
  actor in world.users ? world.users[actor as keyof World["users"]] : null;

const CASES: RlsTableCase<World>[] = [
  {
    table: "integration_connections",
    ops: {
      select: async (trx, w) =>
        (
          await trx
            .selectFrom("integration_connections")
            .select(["id", "name"])
            .where("id", "=", w.connectionA)
            .execute()
        ).length,
      insert: async (trx, w, actor) =>
        (
          await trx
            .insertInto("integration_connections")
            .values({
              tenant_id: w.tenantA,
              provider: "webhook",
              name: `new-${actor}`,
              config: JSON.stringify({ url: "https://hooks.example/" }),
              credentials_ciphertext: "v1.a.b.c",
              credentials_last4: "abcd",
              created_by: userOf(w, actor),
            })
            .execute()
        ).length,
      update: async (trx, w) =>
        changed(
          await trx
            .updateTable("integration_connections")
            .set({ name: "Renamed" })
            .where("id", "=", w.connectionA)
            .execute(),
        ),
      delete: async (trx, w) =>
        changed(await trx.deleteFrom("integration_connections").where("id", "=", w.connectionA).execute()),
    },
    allowed: { select: READERS, insert: ADMINS, update: ADMINS, delete: ADMINS },
  },
  {
    table: "integration_connections (sealed credentials)",
    ops: {
      select: async (trx, w) =>
        (
          await sql`select credentials_ciphertext from public.integration_connections where id = ${w.connectionA}`.execute(
            trx,
          )
        ).rows.length,
      insert: async () => 0,
      update: async () => 0,
      delete: async () => 0,
    },
    allowed: { select: [], insert: [], update: [], delete: [] },
  },
  {
    table: "webhook_endpoints",
    ops: {
      select: async (trx, w) =>
        (
          await trx
            .selectFrom("webhook_endpoints")
            .select(["id", "url"])
            .where("id", "=", w.endpointA)
            .execute()
        ).length,
      insert: async (trx, w, actor) =>
        (
          await trx
            .insertInto("webhook_endpoints")
            .values({
              tenant_id: w.tenantA,
              url: "https://hooks.example/new",
              event_types: ["scan.completed"],
              secret_ciphertext: "v1.a.b.c",
              secret_last4: "abcd",
              created_by: userOf(w, actor),
            })
            .execute()
        ).length,
      update: async (trx, w) =>
        changed(
          await trx
            .updateTable("webhook_endpoints")
            .set({ description: "changed" })
            .where("id", "=", w.endpointA)
            .execute(),
        ),
      delete: async (trx, w) =>
        changed(await trx.deleteFrom("webhook_endpoints").where("id", "=", w.endpointA).execute()),
    },
    allowed: { select: READERS, insert: ADMINS, update: ADMINS, delete: ADMINS },
  },
  {
    table: "webhook_endpoints (sealed secrets)",
    ops: {
      select: async (trx, w) =>
        (
          await sql`select secret_ciphertext from public.webhook_endpoints where id = ${w.endpointA}`.execute(
            trx,
          )
        ).rows.length,
      insert: async () => 0,
      update: async () => 0,
      delete: async () => 0,
    },
    allowed: { select: [], insert: [], update: [], delete: [] },
  },
  {
    table: "integration_deliveries",
    ops: {
      select: async (trx, w) =>
        (await trx.selectFrom("integration_deliveries").select("id").where("id", "=", w.deliveryA).execute())
          .length,
      insert: async (trx, w) =>
        (
          await trx
            .insertInto("integration_deliveries")
            .values({
              tenant_id: w.tenantA,
              endpoint_id: w.endpointA,
              action: "webhook.event",
              idempotency_key: "forged",
              attempt: 1,
              payload: "{}",
            })
            .execute()
        ).length,
      update: async (trx, w) =>
        changed(
          await trx
            .updateTable("integration_deliveries")
            .set({ error: "forged" })
            .where("id", "=", w.deliveryA)
            .execute(),
        ),
      delete: async (trx, w) =>
        changed(await trx.deleteFrom("integration_deliveries").where("id", "=", w.deliveryA).execute()),
    },
    allowed: { select: READERS, insert: [], update: [], delete: [] },
  },
];

let database: TestDatabase;
let world: World;

beforeAll(async () => {
  database = await createTestDatabase();
  const base = await createRlsWorld(database.db);
  world = await withServiceTx(database.db, async (trx) => {
    const connection = await trx
      .insertInto("integration_connections")
      .values({
        tenant_id: base.tenantA,
        provider: "webhook",
        name: "A's hook",
        config: JSON.stringify({ url: "https://hooks.example/" }),
        credentials_ciphertext: "v1.a.b.c",
        credentials_last4: "abcd",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const endpoint = await trx
      .insertInto("webhook_endpoints")
      .values({
        tenant_id: base.tenantA,
        url: "https://hooks.example/a",
        event_types: ["scan.completed"],
        secret_ciphertext: "v1.a.b.c",
        secret_last4: "abcd",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const delivery = await trx
      .insertInto("integration_deliveries")
      .values({
        tenant_id: base.tenantA,
        connection_id: connection.id,
        action: "webhook.post",
        idempotency_key: "action:a:1",
        attempt: 1,
        payload: "{}",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { ...base, connectionA: connection.id, endpointA: endpoint.id, deliveryA: delivery.id };
  });
}, 120_000);

afterAll(() => database?.drop());

describeRlsMatrix("integrations: RLS", CASES, () => ({ db: database.db, world }));
