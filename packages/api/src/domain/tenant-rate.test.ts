import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql, withServiceTx } from "@techscaniq/db";
import { createTestTenant } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, startApiTestBed, type ApiTestBed, type SignedInUser } from "../testing";

const dataDir = await mkdtemp(path.join(tmpdir(), "tsiq-tenant-rate-"));
process.env.TECHSCANIQ_DATA_DIR = dataDir;
// Small limits so the test reaches them; read per request, like every API setting.
process.env.TECHSCANIQ_SCANS_PER_HOUR = "2";
process.env.TECHSCANIQ_REPORT_REGENERATIONS_PER_HOUR = "2";

let bed: ApiTestBed;
let alice: SignedInUser;
let bob: SignedInUser;
let tenantA: { id: string };
let tenantB: { id: string };

beforeAll(async () => {
  bed = await startApiTestBed();
  [alice, bob] = [await bed.signedInUser(), await bed.signedInUser()];
  tenantA = await createTestTenant(bed.database.db, alice.id);
  tenantB = await createTestTenant(bed.database.db, bob.id);
});

afterAll(async () => {
  await bed.close();
  await rm(dataDir, { recursive: true, force: true });
});

const scanCount = async (tenantId: string) =>
  (await bed.database.db.kysely.selectFrom("scans").select("id").where("tenant_id", "=", tenantId).execute())
    .length;

describe("trust: a tenant can spend the operator's AI budget without limit (rate limits)", () => {
  it("limits scan creation per tenant per hour, counting re-scans, and leaves other tenants alone", async () => {
    const asAlice = bed.client({ accessToken: alice.accessToken, tenantId: tenantA.id });
    const first = await asAlice.scan.create.mutate({ url: "https://example.com/" });
    await asAlice.scan.rescan.mutate({ scanId: first.id });
    await expectTrpcError(
      asAlice.scan.create.mutate({ url: "https://example.org/" }),
      "TOO_MANY_REQUESTS",
      /at most 2 times per hour/,
    );
    await expectTrpcError(asAlice.scan.rescan.mutate({ scanId: first.id }), "TOO_MANY_REQUESTS");
    expect(await scanCount(tenantA.id)).toBe(2);
    await bed
      .client({ accessToken: bob.accessToken, tenantId: tenantB.id })
      .scan.create.mutate({ url: "https://example.com/" });
    expect(await scanCount(tenantB.id)).toBe(1);
  });

  it("limits report regeneration per tenant per hour and queues nothing when refused", async () => {
    const asBob = bed.client({ accessToken: bob.accessToken, tenantId: tenantB.id });
    const scanId = await withServiceTx(bed.database.db, async (tx) => {
      const scan = await tx
        .insertInto("scans")
        .values({ tenant_id: tenantB.id, target_url: "https://example.net/" })
        .returning("id")
        .executeTakeFirstOrThrow();
      await sql`select private.queue_report(${scan.id}::uuid)`.execute(tx);
      return scan.id;
    });
    const report = await bed.database.db.kysely
      .selectFrom("reports")
      .select("id")
      .where("scan_id", "=", scanId)
      .executeTakeFirstOrThrow();
    await asBob.report.regenerate.mutate({ reportId: report.id });
    await asBob.report.regenerate.mutate({ reportId: report.id });
    const before = await bed.database.db.kysely
      .selectFrom("reports")
      .select("requested_version")
      .where("id", "=", report.id)
      .executeTakeFirstOrThrow();
    await expectTrpcError(
      asBob.report.regenerate.mutate({ reportId: report.id }),
      "TOO_MANY_REQUESTS",
      /regenerate reports at most 2 times per hour/,
    );
    const after = await bed.database.db.kysely
      .selectFrom("reports")
      .select("requested_version")
      .where("id", "=", report.id)
      .executeTakeFirstOrThrow();
    expect(after.requested_version).toBe(before.requested_version);
  });
});
