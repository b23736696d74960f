import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AiConfig, TASKS } from "@techscaniq/ai";
import { sql, withServiceTx } from "@techscaniq/db";
import { createLocalStorage, type ObjectStorage } from "@techscaniq/db/storage";
import {
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeReportCheckpointers, produceReportVersion, type ReportTaskSettings } from "./generate";
import { providerFetchFor } from "./provider-fetch";

const offlineOnly = AiConfig.parse({
  providers: { offline: { kind: "offline" } },
  routes: Object.fromEntries(TASKS.map((task) => [task, [{ provider: "offline", model: "rules" }]])),
  retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 100 },
  timeoutMs: 10_000,
});

let database: TestDatabase;
let storageDir: string;
let settings: ReportTaskSettings;

beforeAll(async () => {
  database = await createTestDatabase();
  storageDir = await mkdtemp(path.join(tmpdir(), "tsiq-parent-tenant-"));
  settings = {
    db: database.db,
    storage: createLocalStorage(storageDir),
    connectionString: database.url,
    aiConfig: offlineOnly,
    // Offline only: no provider is ever called, so private addresses stay refused.
    providerFetch: providerFetchFor(false),
  };
});

afterAll(async () => {
  await closeReportCheckpointers();
  await database.drop();
  await rm(storageDir, { recursive: true, force: true });
});

/** A succeeded scan with one technology finding (success queues its report). */
async function succeededScan(tenantId: string, technology: string): Promise<string> {
  return withServiceTx(database.db, async (tx) => {
    const scan = await tx
      .insertInto("scans")
      .values({ tenant_id: tenantId, target_url: "https://example.com/" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await tx
      .insertInto("findings")
      .values({
        scan_id: scan.id,
        tenant_id: tenantId,
        kind: "technology",
        finding_key: technology,
        name: technology,
      })
      .execute();
    await tx.updateTable("scans").set({ status: "succeeded" }).where("id", "=", scan.id).execute();
    return scan.id;
  });
}

describe("trust: tenant boundary 4 — the report worker reads a parent scan only of the report's tenant", () => {
  it("ignores a parent_scan_id naming another tenant's scan instead of diffing against its findings", async () => {
    const [ownerA, ownerB] = [await createTestUser(database.db), await createTestUser(database.db)];
    const tenantA = await createTestTenant(database.db, ownerA.id);
    const tenantB = await createTestTenant(database.db, ownerB.id);
    const scanOfB = await succeededScan(tenantB.id, "TenantBSecretStack");
    const scanOfA = await succeededScan(tenantA.id, "Nginx");
    // The composite foreign key refuses this link for every writer; a database restored from before it
    // (or any other way around the key) must still not make the service-role worker read tenant B.
    await withServiceTx(database.db, async (tx) => {
      await sql`set local session_replication_role = replica`.execute(tx);
      await tx.updateTable("scans").set({ parent_scan_id: scanOfB }).where("id", "=", scanOfA).execute();
    });

    expect(await produceReportVersion(settings, { scanId: scanOfA })).toMatchObject({
      kind: "created",
      version: 1,
    });
    const version = await database.db.kysely
      .selectFrom("report_versions")
      .select(["scan_diff", "compared_scan_id", "content"])
      .where("scan_id", "=", scanOfA)
      .executeTakeFirstOrThrow();
    expect(version.scan_diff).toBeNull();
    expect(version.compared_scan_id).toBeNull();
    expect(JSON.stringify(version.content)).not.toContain("TenantBSecretStack");
  });
});

describe("a report version is published only once its exports are stored", () => {
  it("stores md, html, pdf and json before the version row and the ready status exist", async () => {
    const owner = await createTestUser(database.db);
    const tenant = await createTestTenant(database.db, owner.id);
    const scanId = await succeededScan(tenant.id, "Nginx");
    const publishedAtPut: { path: string; versions: number }[] = [];
    const recording: ObjectStorage = Object.create(settings.storage) as ObjectStorage;
    recording.put = async (ref, body, options) => {
      const row = await database.db.kysely
        .selectFrom("report_versions")
        .select((eb) => eb.fn.countAll<string>().as("count"))
        .where("scan_id", "=", scanId)
        .executeTakeFirstOrThrow();
      publishedAtPut.push({ path: ref.path, versions: Number(row.count) });
      return settings.storage.put(ref, body, options);
    };

    expect(await produceReportVersion({ ...settings, storage: recording }, { scanId })).toMatchObject({
      kind: "created",
      version: 1,
    });
    expect(publishedAtPut.map((put) => put.path.split(".").pop()).sort()).toEqual([
      "html",
      "json",
      "md",
      "pdf",
    ]);
    expect(publishedAtPut.every((put) => put.versions === 0)).toBe(true);
    const report = await database.db.kysely
      .selectFrom("reports")
      .select(["status", "latest_version"])
      .where("scan_id", "=", scanId)
      .executeTakeFirstOrThrow();
    expect(report).toEqual({ status: "ready", latest_version: 1 });
  });
});
