import { randomUUID } from "node:crypto";
import { withServiceTx } from "@techscaniq/db";
import {
  createRlsWorld,
  describeRlsMatrix,
  type RlsActor as Actor,
  type RlsOperation,
  type RlsTableCase,
  type RlsTrx as Trx,
  type RlsWorld,
} from "@techscaniq/db/rls-matrix";
import { createTestDatabase, type TestDatabase } from "@techscaniq/db/testing";
import { afterAll, beforeAll } from "vitest";

/**
 * The scan tables' RLS matrix, like the foundation's: every table × every
 * kind of caller × every operation, as `authenticated` (or `anon`) exactly
 * as PostgREST runs requests. Exactly the cells in `allowed` may succeed;
 * every cell runs in a transaction that is rolled back.
 */

interface World extends RlsWorld {
  scanA: string;
}

type Operation = RlsOperation<World>;

const READERS: Actor[] = ["ownerA", "adminA", "memberA", "viewerA", "keyAdminA", "keyWriteA", "keyReadA"];
const WRITERS: Actor[] = ["ownerA", "adminA", "memberA", "keyAdminA", "keyWriteA"];
const NOBODY: Actor[] = [];

const changed = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint }[]) =>
  Number(result[0]?.numUpdatedRows ?? result[0]?.numDeletedRows ?? 0);
const userOf = (world: World, actor: Actor) =>
  actor in world.users ? world.users[actor as keyof World["users"]] : null;
const evidenceRow = (scanId: string, tenantId: string) => ({
  scan_id: scanId,
  tenant_id: tenantId,
  evidence_id: `ev_${randomUUID().replaceAll("-", "").slice(0, 24)}`,
  kind: "header",
  collector: "http",
  url: "https://a.example/",
  locator: "server",
  snippet: "nginx",
  content_hash: "c".repeat(64),
  observed_at: new Date(),
  confidence: 100,
});

/** Results tables are the worker's: members read them, nobody writes them through the API. */
function resultsTable(
  table: "scan_pages" | "evidence_items" | "findings" | "scan_stage_results",
  insert: Operation,
  update: Operation,
): RlsTableCase<World> {
  return {
    table,
    ops: {
      select: async (trx, w) =>
        (await trx.selectFrom(table).select("scan_id").where("scan_id", "=", w.scanA).execute()).length,
      insert,
      update,
      delete: async (trx, w) => changed(await trx.deleteFrom(table).where("scan_id", "=", w.scanA).execute()),
    },
    allowed: { select: READERS, insert: NOBODY, update: NOBODY, delete: NOBODY },
  };
}

const CASES: RlsTableCase<World>[] = [
  {
    table: "scans",
    ops: {
      select: async (trx: Trx, w: World) =>
        (await trx.selectFrom("scans").select("id").where("id", "=", w.scanA).execute()).length,
      insert: async (trx: Trx, w: World, actor: Actor) =>
        (
          await trx
            .insertInto("scans")
            .values({
              tenant_id: w.tenantA,
              created_by: userOf(w, actor),
              target_url: "https://new.example/",
            })
            .execute()
        ).length,
      update: async (trx: Trx, w: World) =>
        changed(
          await trx
            .updateTable("scans")
            .set({ cancel_requested_at: new Date() })
            .where("id", "=", w.scanA)
            .execute(),
        ),
      delete: async (trx: Trx, w: World) =>
        changed(await trx.deleteFrom("scans").where("id", "=", w.scanA).execute()),
    },
    allowed: { select: READERS, insert: WRITERS, update: WRITERS, delete: WRITERS },
  },
  resultsTable(
    "scan_pages",
    async (trx, w) =>
      (
        await trx
          .insertInto("scan_pages")
          .values({ scan_id: w.scanA, tenant_id: w.tenantA, url: `https://a.example/${randomUUID()}` })
          .execute()
      ).length,
    async (trx, w) =>
      changed(
        await trx.updateTable("scan_pages").set({ error: "x" }).where("scan_id", "=", w.scanA).execute(),
      ),
  ),
  resultsTable(
    "evidence_items",
    async (trx, w) =>
      (await trx.insertInto("evidence_items").values(evidenceRow(w.scanA, w.tenantA)).execute()).length,
    async (trx, w) =>
      changed(
        await trx
          .updateTable("evidence_items")
          .set({ snippet: "forged" })
          .where("scan_id", "=", w.scanA)
          .execute(),
      ),
  ),
  resultsTable(
    "findings",
    async (trx, w) =>
      (
        await trx
          .insertInto("findings")
          .values({
            scan_id: w.scanA,
            tenant_id: w.tenantA,
            kind: "technology",
            finding_key: randomUUID(),
            name: "Forged",
          })
          .execute()
      ).length,
    async (trx, w) =>
      changed(
        await trx.updateTable("findings").set({ name: "Forged" }).where("scan_id", "=", w.scanA).execute(),
      ),
  ),
  resultsTable(
    "scan_stage_results",
    async (trx, w) =>
      (
        await trx
          .insertInto("scan_stage_results")
          .values({ scan_id: w.scanA, tenant_id: w.tenantA, stage: "render", output: "{}", duration_ms: 1 })
          .execute()
      ).length,
    async (trx, w) =>
      changed(
        await trx
          .updateTable("scan_stage_results")
          .set({ output: "{}" })
          .where("scan_id", "=", w.scanA)
          .execute(),
      ),
  ),
  {
    table: "worker_job_runners",
    ops: {
      select: async (trx: Trx) =>
        (await trx.selectFrom("worker_job_runners").select("runner_id").execute()).length,
      insert: async (trx: Trx) =>
        (
          await trx
            .insertInto("worker_job_runners")
            .values({ runner_id: randomUUID(), worker_id: "matrix-worker" })
            .execute()
        ).length,
      update: async (trx: Trx) =>
        changed(await trx.updateTable("worker_job_runners").set({ worker_id: "matrix-worker" }).execute()),
      delete: async (trx: Trx) => changed(await trx.deleteFrom("worker_job_runners").execute()),
    },
    allowed: { select: NOBODY, insert: NOBODY, update: NOBODY, delete: NOBODY },
  },
];

let database: TestDatabase;
let world: World;

beforeAll(async () => {
  database = await createTestDatabase();
  const { db } = database;
  const base = await createRlsWorld(db);
  const { tenantA, users } = base;
  const scanA = await withServiceTx(db, async (trx) => {
    const scan = await trx
      .insertInto("scans")
      .values({ tenant_id: tenantA, created_by: users.ownerA, target_url: "https://a.example/" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("scan_pages")
      .values({ scan_id: scan.id, tenant_id: tenantA, url: "https://a.example/" })
      .execute();
    await trx.insertInto("evidence_items").values(evidenceRow(scan.id, tenantA)).execute();
    await trx
      .insertInto("findings")
      .values({
        scan_id: scan.id,
        tenant_id: tenantA,
        kind: "technology",
        finding_key: "nginx",
        name: "Nginx",
      })
      .execute();
    await trx
      .insertInto("scan_stage_results")
      .values({ scan_id: scan.id, tenant_id: tenantA, stage: "crawl", output: "{}", duration_ms: 5 })
      .execute();
    await trx
      .insertInto("worker_heartbeats")
      .values({ worker_id: "matrix-worker", hostname: "h", pid: 1 })
      .execute();
    await trx
      .insertInto("worker_job_runners")
      .values({ runner_id: "runner-1", worker_id: "matrix-worker" })
      .execute();
    return scan.id;
  });
  world = { ...base, scanA };
}, 120_000);

afterAll(async () => {
  await database.drop();
});

describeRlsMatrix("scan RLS matrix", CASES, () => ({ db: database.db, world }));
