import { emitEvent, sql, withRlsTx, withServiceTx } from "@techscaniq/db";
import {
  addTestMember,
  claimsFor,
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCAN_EVENTS, streamEvents } from "./events";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(() => database.drop());

describe("trust: tenant boundary 5 — a forged scan.completed cannot end a watcher's progress stream", () => {
  it("refuses the viewer's and the member's forgeries; the stream ends only at the worker's scan.completed", async () => {
    const { db } = database;
    const [owner, viewer] = [await createTestUser(db), await createTestUser(db)];
    const tenant = await createTestTenant(db, owner.id);
    await addTestMember(db, tenant.id, viewer.id, "viewer");
    const scan = await withServiceTx(db, (tx) =>
      tx
        .insertInto("scans")
        .values({ tenant_id: tenant.id, target_url: "https://a.example/", status: "running" })
        .returning("id")
        .executeTakeFirstOrThrow(),
    );

    const forged = { type: "scan.completed", tenant_id: tenant.id, user_id: null, subject: scan.id };
    await expect(
      withRlsTx(db, claimsFor(viewer.id), (tx) => tx.insertInto("events").values(forged).execute()),
    ).rejects.toMatchObject({ code: "42501" });
    // Even a writer of the tenant, calling the trusted door directly, cannot emit the worker's events.
    await expect(
      withRlsTx(db, claimsFor(owner.id), (tx) =>
        emitEvent(tx, { type: "scan.completed", tenantId: tenant.id, userId: owner.id, subject: scan.id }),
      ),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      withRlsTx(db, claimsFor(owner.id), (tx) =>
        sql`select private.emit_event('scan.cancelled', ${tenant.id}::uuid,
                                                       null, ${scan.id}, '{}'::jsonb, 1)`.execute(tx),
      ),
    ).rejects.toMatchObject({ code: "42501" });

    // The worker's events (service role) are what the watcher sees, and its scan.completed ends the stream.
    await withServiceTx(db, async (tx) => {
      await emitEvent(tx, { type: "scan.progress", tenantId: tenant.id, userId: null, subject: scan.id });
      await emitEvent(tx, { type: "scan.completed", tenantId: tenant.id, userId: null, subject: scan.id });
    });
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const event of streamEvents({
      db,
      claims: claimsFor(viewer.id),
      tenantId: tenant.id,
      family: SCAN_EVENTS,
      subject: scan.id,
      afterId: "0",
      signal: controller.signal,
    })) {
      seen.push(event.type);
    }
    controller.abort();
    expect(seen).toEqual(["scan.progress", "scan.completed"]);
  });
});
