import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql, withServiceTx } from "@techscaniq/db";
import { createLocalStorage, scanObjectPath } from "@techscaniq/db/storage";
import { addTestMember, createTestTenant, createTestUser } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, startApiTestBed, type ApiTestBed, type SignedInUser } from "../testing";

// The API stores objects under the data dir; this run gets its own.
const dataDir = await mkdtemp(path.join(tmpdir(), "tsiq-scan-api-"));
process.env.TECHSCANIQ_DATA_DIR = dataDir;

let bed: ApiTestBed;
let alice: SignedInUser;
let bob: SignedInUser;
let viewer: SignedInUser;
let tenantA: { id: string };
let tenantB: { id: string };

const asAlice = () => bed.client({ accessToken: alice.accessToken, tenantId: tenantA.id });
const asBob = () => bed.client({ accessToken: bob.accessToken, tenantId: tenantB.id });
const asViewer = () => bed.client({ accessToken: viewer.accessToken, tenantId: tenantA.id });

beforeAll(async () => {
  bed = await startApiTestBed();
  [alice, bob, viewer] = [await bed.signedInUser(), await bed.signedInUser(), await bed.signedInUser()];
  tenantA = await createTestTenant(bed.database.db, alice.id);
  tenantB = await createTestTenant(bed.database.db, bob.id);
  await addTestMember(bed.database.db, tenantA.id, viewer.id, "viewer");
});

afterAll(async () => {
  await bed.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function counts() {
  const { rows } = await sql<{ scans: string; jobs: string }>`
    select (select count(*) from public.scans) as scans, (select count(*) from graphile_worker.jobs) as jobs`.execute(
    bed.database.db.kysely,
  );
  return { scans: Number(rows[0]!.scans), jobs: Number(rows[0]!.jobs) };
}

async function jobFor(scanId: string) {
  const { rows } = await sql<{ task_identifier: string; key: string; payload: unknown }>`
    select t.identifier as task_identifier, j.key, j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where j.key = ${`scan:${scanId}`}`.execute(
    bed.database.db.kysely,
  );
  return rows;
}

describe("scan.create", () => {
  it("normalises the target, stores the scan and queues its first job in the same transaction", async () => {
    const scan = await asAlice().scan.create.mutate({
      url: "  Example.COM/pricing?plan=pro#top ",
      thesis: "Cloud-native vertical SaaS",
      repositories: ["https://github.com/acme/app", "https://github.com/acme/app"],
      options: { maxPages: 5, renderCount: 1, maxDepth: 2 },
    });
    expect(scan).toMatchObject({
      tenantId: tenantA.id,
      createdBy: alice.id,
      targetUrl: "https://example.com/pricing?plan=pro",
      thesis: "Cloud-native vertical SaaS",
      repositories: ["https://github.com/acme/app"],
      options: { maxPages: 5, renderCount: 1, maxDepth: 2 },
      status: "queued",
      progress: 0,
      error: null,
    });
    expect(await jobFor(scan.id)).toEqual([
      { task_identifier: "scan.crawl", key: `scan:${scan.id}`, payload: { scanId: scan.id } },
    ]);
    const events = await bed.database.db.kysely
      .selectFrom("events")
      .select(["type", "user_id"])
      .where("subject", "=", scan.id)
      .execute();
    expect(events).toEqual([{ type: "scan.queued", user_id: alice.id }]);
  });

  it.each([
    [{ url: "ftp://example.com/" }, "url: url must use http or https, not ftp"],
    [{ url: "https://user:secret@example.com/" }, "url: url must not contain a user name or password"],
    [{ url: "https://exa mple.com/" }, "url: url is not a valid URL"],
    [{ url: "https://intranet/" }, 'url: url host "intranet" is not a valid domain name or IP address'],
    [{ url: `https://example.com/${"a".repeat(2100)}` }, "url: url is longer than 2048 characters"],
    [{ url: "" }, "url: url is required"],
    [
      { url: "https://example.com", thesis: "x".repeat(20_001) },
      "thesis: thesis is longer than 20000 characters",
    ],
    [
      { url: "https://example.com", repositories: ["http://github.com/a/b"] },
      "repositories.0: repository must use https, not http",
    ],
    [
      {
        url: "https://example.com",
        repositories: Array.from({ length: 21 }, (_, i) => `https://github.com/a/r${i}`),
      },
      "repositories: at most 20 repositories",
    ],
    [{ url: "https://example.com", options: { maxPages: 0 } }, "options.maxPages"],
    [{ url: "https://example.com", priority: "high" }, "priority: is not a known field"],
  ])("refuses %j with a clear error, writing nothing and queuing nothing", async (input, message) => {
    const before = await counts();
    await expectTrpcError(asAlice().scan.create.mutate(input as never), "BAD_REQUEST", message);
    expect(await counts()).toEqual(before);
  });

  it("is for members: a viewer may read scans but not request one", async () => {
    const before = await counts();
    await expectTrpcError(
      asViewer().scan.create.mutate({ url: "https://example.com" }),
      "FORBIDDEN",
      /Viewers can only read/,
    );
    expect(await counts()).toEqual(before);
  });
});

describe("every scan procedure validates its input", () => {
  const notAnId = { scanId: "42" };
  it.each([
    ["get", () => asAlice().scan.get.query(notAnId)],
    ["cancel", () => asAlice().scan.cancel.mutate(notAnId)],
    ["retry", () => asAlice().scan.retry.mutate(notAnId)],
    ["rescan", () => asAlice().scan.rescan.mutate(notAnId)],
    ["delete", () => asAlice().scan.delete.mutate(notAnId)],
    ["findings", () => asAlice().scan.findings.query(notAnId)],
    ["pages", () => asAlice().scan.pages.query(notAnId)],
    ["evidence.list", () => asAlice().scan.evidence.list.query(notAnId)],
    ["screenshot", () => asAlice().scan.screenshot.query({ ...notAnId, pageId: "x" })],
  ])("%s: scanId must be a uuid", async (_name, call) => {
    const before = await counts();
    await expectTrpcError(call(), "BAD_REQUEST", "scanId: must be a scan id (uuid)");
    expect(await counts()).toEqual(before);
  });

  it("list: unknown status, oversize limit and forged cursor", async () => {
    await expectTrpcError(
      asAlice().scan.list.query({ status: ["done" as never] }),
      "BAD_REQUEST",
      /status\.0/,
    );
    await expectTrpcError(asAlice().scan.list.query({ limit: 1000 }), "BAD_REQUEST", /limit/);
    await expectTrpcError(
      asAlice().scan.list.query({ cursor: "bm9wZQ" }),
      "BAD_REQUEST",
      "cursor: is not a cursor returned by scan.list",
    );
  });

  it("evidence.list: bad kind and finding id", async () => {
    const scan = await asAlice().scan.create.mutate({ url: "https://evidence-input.example" });
    await expectTrpcError(
      asAlice().scan.evidence.list.query({ scanId: scan.id, kind: "<script>" }),
      "BAD_REQUEST",
      /kind: must be an evidence kind/,
    );
    await expectTrpcError(
      asAlice().scan.evidence.list.query({ scanId: scan.id, findingId: "nope" }),
      "BAD_REQUEST",
      /findingId/,
    );
  });
});

describe("scan lifecycle through the API", () => {
  it("lists with status and text filters and cursor pagination", async () => {
    const made = [];
    for (const name of ["alpha", "beta", "gamma"])
      made.push(await asAlice().scan.create.mutate({ url: `https://${name}-list.example` }));
    await asAlice().scan.cancel.mutate({ scanId: made[1]!.id });

    const firstPage = await asAlice().scan.list.query({ search: "-list.example", limit: 2 });
    expect(firstPage.items.map((scan) => scan.targetUrl)).toEqual([
      "https://gamma-list.example/",
      "https://beta-list.example/",
    ]);
    const secondPage = await asAlice().scan.list.query({
      search: "-list.example",
      limit: 2,
      cursor: firstPage.nextCursor!,
    });
    expect(secondPage.items.map((scan) => scan.targetUrl)).toEqual(["https://alpha-list.example/"]);
    expect(secondPage.nextCursor).toBeNull();

    const cancelled = await asAlice().scan.list.query({ status: ["cancelled"], search: "list.example" });
    expect(cancelled.items.map((scan) => scan.id)).toEqual([made[1]!.id]);
    // LIKE wildcards in the search are literal text.
    expect((await asAlice().scan.list.query({ search: "%" })).items).toEqual([]);
  });

  it("cancels a queued scan at once; cancelling again is a conflict", async () => {
    const scan = await asAlice().scan.create.mutate({ url: "https://cancel-me.example" });
    const cancelled = await asAlice().scan.cancel.mutate({ scanId: scan.id });
    expect(cancelled).toMatchObject({ status: "cancelled" });
    expect(cancelled.finishedAt).not.toBeNull();
    await expectTrpcError(
      asAlice().scan.cancel.mutate({ scanId: scan.id }),
      "CONFLICT",
      /already been cancelled/,
    );
  });

  it("retry re-queues a cancelled scan under the same job key; rescan links a new scan to its parent", async () => {
    const scan = await asAlice().scan.create.mutate({ url: "https://retry-me.example" });
    await expectTrpcError(asAlice().scan.retry.mutate({ scanId: scan.id }), "CONFLICT", /is queued/);
    await asAlice().scan.cancel.mutate({ scanId: scan.id });
    const retried = await asAlice().scan.retry.mutate({ scanId: scan.id });
    expect(retried).toMatchObject({ status: "queued", error: null, cancelRequestedAt: null });
    expect(await jobFor(scan.id)).toHaveLength(1);

    const child = await asAlice().scan.rescan.mutate({ scanId: scan.id });
    expect(child).toMatchObject({ parentScanId: scan.id, targetUrl: scan.targetUrl, status: "queued" });
    expect(await jobFor(child.id)).toHaveLength(1);
  });

  it("a second submit of the same scan's job does not queue a second job", async () => {
    const scan = await asAlice().scan.create.mutate({ url: "https://double.example" });
    await withServiceTx(bed.database.db, (tx) =>
      sql`select private.enqueue_scan_job(${scan.id}::uuid, 'scan.crawl')`.execute(tx),
    );
    await withServiceTx(bed.database.db, (tx) =>
      sql`select private.enqueue_scan_job(${scan.id}::uuid, 'scan.crawl')`.execute(tx),
    );
    expect(await jobFor(scan.id)).toHaveLength(1);
  });

  it("delete removes the scan, its evidence, findings, pages and stored objects; a queued scan must be cancelled first", async () => {
    const scan = await asAlice().scan.create.mutate({ url: "https://delete-me.example" });
    await expectTrpcError(
      asAlice().scan.delete.mutate({ scanId: scan.id }),
      "CONFLICT",
      /cancel it before deleting it/,
    );
    await asAlice().scan.cancel.mutate({ scanId: scan.id });

    const storage = createLocalStorage(path.join(dataDir, "storage"));
    const shot = { bucket: "screenshots" as const, path: scanObjectPath(tenantA.id, scan.id, "home.png") };
    const artifact = {
      bucket: "artifacts" as const,
      path: scanObjectPath(tenantA.id, scan.id, "result.json"),
    };
    await storage.put(shot, new Uint8Array([137, 80, 78, 71]), { contentType: "image/png" });
    await storage.put(artifact, "{}", { contentType: "application/json" });
    await seedResults(scan.id, tenantA.id, shot.path);

    const pages = await asAlice().scan.pages.query({ scanId: scan.id });
    expect(pages).toMatchObject([{ url: "https://delete-me.example/", hasScreenshot: true }]);
    const screenshot = await asAlice().scan.screenshot.query({ scanId: scan.id, pageId: pages[0]!.id });
    expect(screenshot).toEqual({
      contentType: "image/png",
      base64: Buffer.from([137, 80, 78, 71]).toString("base64"),
    });

    await asAlice().scan.delete.mutate({ scanId: scan.id });
    await expectTrpcError(asAlice().scan.get.query({ scanId: scan.id }), "NOT_FOUND");
    const left = await sql<{ n: string }>`
      select (select count(*) from evidence_items where scan_id = ${scan.id})
           + (select count(*) from findings where scan_id = ${scan.id})
           + (select count(*) from scan_pages where scan_id = ${scan.id}) as n`.execute(
      bed.database.db.kysely,
    );
    expect(Number(left.rows[0]!.n)).toBe(0);
    expect(await storage.get(shot)).toBeNull();
    expect(await storage.get(artifact)).toBeNull();
  });
});

/** Results as the worker writes them (service role), for read and isolation tests. */
async function seedResults(scanId: string, tenantId: string, screenshotPath: string | null) {
  await withServiceTx(bed.database.db, async (tx) => {
    await tx
      .insertInto("evidence_items")
      .values([
        {
          scan_id: scanId,
          tenant_id: tenantId,
          evidence_id: "ev_000000000000000000000001",
          kind: "meta",
          collector: "http",
          url: "https://x.example/",
          locator: "meta[name=generator]",
          snippet: "WordPress 6.4.2",
          content_hash: "a".repeat(64),
          observed_at: new Date(),
          confidence: 100,
        },
        {
          scan_id: scanId,
          tenant_id: tenantId,
          evidence_id: "ev_000000000000000000000002",
          kind: "header",
          collector: "http",
          url: "https://x.example/",
          locator: "server",
          snippet: "nginx",
          content_hash: "b".repeat(64),
          observed_at: new Date(),
          confidence: 100,
        },
      ])
      .execute();
    await tx
      .insertInto("findings")
      .values({
        scan_id: scanId,
        tenant_id: tenantId,
        kind: "technology",
        finding_key: "WordPress",
        name: "WordPress",
        version: "6.4.2",
        category: "CMS",
        confidence: 100,
        severity: null,
        evidence_ids: ["ev_000000000000000000000001"],
        details: "{}",
      })
      .execute();
    const { target_url } = await tx
      .selectFrom("scans")
      .select("target_url")
      .where("id", "=", scanId)
      .executeTakeFirstOrThrow();
    await tx
      .insertInto("scan_pages")
      .values({
        scan_id: scanId,
        tenant_id: tenantId,
        url: target_url,
        http_status: 200,
        bytes: 1234,
        rendered: true,
        screenshot_path: screenshotPath,
      })
      .execute();
  });
}

describe("tenant isolation", () => {
  it("tenant B cannot read, cancel, retry, rescan, delete or list tenant A's scans, evidence, findings, pages or screenshots", async () => {
    const scan = await asAlice().scan.create.mutate({ url: "https://isolated.example" });
    const storage = createLocalStorage(path.join(dataDir, "storage"));
    const shotPath = scanObjectPath(tenantA.id, scan.id, "home.png");
    await storage.put({ bucket: "screenshots", path: shotPath }, new Uint8Array([1]), {
      contentType: "image/png",
    });
    await seedResults(scan.id, tenantA.id, shotPath);
    const [page] = await asAlice().scan.pages.query({ scanId: scan.id });
    const [finding] = await asAlice().scan.findings.query({ scanId: scan.id });
    expect(finding).toMatchObject({
      name: "WordPress",
      version: "6.4.2",
      evidenceIds: ["ev_000000000000000000000001"],
    });
    expect(
      (await asAlice().scan.evidence.list.query({ scanId: scan.id, findingId: finding!.id })).items.map(
        (item) => item.snippet,
      ),
    ).toEqual(["WordPress 6.4.2"]);
    expect(
      (await asAlice().scan.evidence.list.query({ scanId: scan.id, kind: "header" })).items.map(
        (item) => item.locator,
      ),
    ).toEqual(["server"]);

    const notFound = `Scan ${scan.id} was not found in this tenant`;
    await expectTrpcError(asBob().scan.get.query({ scanId: scan.id }), "NOT_FOUND", notFound);
    await expectTrpcError(asBob().scan.cancel.mutate({ scanId: scan.id }), "NOT_FOUND", notFound);
    await expectTrpcError(asBob().scan.retry.mutate({ scanId: scan.id }), "NOT_FOUND", notFound);
    await expectTrpcError(asBob().scan.rescan.mutate({ scanId: scan.id }), "NOT_FOUND", notFound);
    await expectTrpcError(asBob().scan.delete.mutate({ scanId: scan.id }), "NOT_FOUND", notFound);
    await expectTrpcError(asBob().scan.findings.query({ scanId: scan.id }), "NOT_FOUND", notFound);
    await expectTrpcError(asBob().scan.pages.query({ scanId: scan.id }), "NOT_FOUND", notFound);
    await expectTrpcError(asBob().scan.evidence.list.query({ scanId: scan.id }), "NOT_FOUND", notFound);
    await expectTrpcError(
      asBob().scan.screenshot.query({ scanId: scan.id, pageId: page!.id }),
      "NOT_FOUND",
      notFound,
    );
    expect((await asBob().scan.list.query({})).items.map((item) => item.id)).not.toContain(scan.id);
    // Naming tenant A as the active tenant does not help.
    const bobInA = bed.client({ accessToken: bob.accessToken, tenantId: tenantA.id });
    await expectTrpcError(
      bobInA.scan.get.query({ scanId: scan.id }),
      "FORBIDDEN",
      /not a member of this tenant/,
    );

    // Nothing changed for A.
    expect(await asAlice().scan.get.query({ scanId: scan.id })).toMatchObject({ status: "queued" });
  });

  it("raw SQL as tenant B's user sees none of tenant A's scan rows or objects", async () => {
    const scan = await asAlice().scan.create.mutate({ url: "https://raw-sql.example" });
    await seedResults(scan.id, tenantA.id, null);
    const { withRlsTx } = await import("@techscaniq/db");
    const { claimsFor } = await import("@techscaniq/db/testing");
    const seen = await withRlsTx(bed.database.db, claimsFor(bob.id), async (tx) => {
      const { rows } = await sql<{ n: string }>`
        select (select count(*) from scans where id = ${scan.id})
             + (select count(*) from evidence_items where scan_id = ${scan.id})
             + (select count(*) from findings where scan_id = ${scan.id})
             + (select count(*) from scan_pages where scan_id = ${scan.id})
             + (select count(*) from scan_stage_results where scan_id = ${scan.id}) as n`.execute(tx);
      const updated = await tx
        .updateTable("scans")
        .set({ status: "succeeded" })
        .where("id", "=", scan.id)
        .executeTakeFirst();
      return { rows: Number(rows[0]!.n), updated: Number(updated.numUpdatedRows) };
    });
    expect(seen).toEqual({ rows: 0, updated: 0 });
    await expect(
      withRlsTx(bed.database.db, claimsFor(bob.id), (tx) =>
        sql`select private.enqueue_scan_job(${scan.id}::uuid, 'scan.crawl')`.execute(tx),
      ),
    ).rejects.toThrow(/not allowed to queue work/);
    await expect(
      withRlsTx(bed.database.db, claimsFor(alice.id), (tx) =>
        sql`select private.enqueue_scan_job(${scan.id}::uuid, 'report.write')`.execute(tx),
      ),
    ).rejects.toThrow(/only queues scan\.\* tasks/);
  });

  it("storage policies: objects are visible to members of the tenant named by the first path segment only", async () => {
    const { withRlsTx } = await import("@techscaniq/db");
    const { claimsFor } = await import("@techscaniq/db/testing");
    const outsider = await createTestUser(bed.database.db);
    await withServiceTx(bed.database.db, (tx) =>
      sql`insert into storage.objects (bucket_id, name) values
            ('screenshots', ${`${tenantA.id}/scans/x/home.png`}), ('reports', ${`${tenantB.id}/r/report.md`}), ('screenshots', 'no-tenant/x.png')`.execute(
        tx,
      ),
    );
    const visible = async (userId: string) =>
      withRlsTx(bed.database.db, claimsFor(userId), async (tx) =>
        (await sql<{ name: string }>`select name from storage.objects order by name`.execute(tx)).rows.map(
          (row) => row.name,
        ),
      );
    expect(await visible(alice.id)).toEqual([`${tenantA.id}/scans/x/home.png`]);
    expect(await visible(bob.id)).toEqual([`${tenantB.id}/r/report.md`]);
    expect(await visible(outsider.id)).toEqual([]);
    await expect(
      withRlsTx(bed.database.db, claimsFor(bob.id), (tx) =>
        sql`insert into storage.objects (bucket_id, name) values ('reports', ${`${tenantA.id}/r/evil.md`})`.execute(
          tx,
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    await expect(
      withRlsTx(bed.database.db, claimsFor(viewer.id), (tx) =>
        sql`insert into storage.objects (bucket_id, name) values ('reports', ${`${tenantA.id}/r/viewer.md`})`.execute(
          tx,
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it("tenant B cannot subscribe to tenant A's scan events", async () => {
    const scan = await asAlice().scan.create.mutate({ url: "https://subscribe.example" });
    const error = await new Promise<unknown>((resolve) => {
      const subscription = asBob().scan.progress.subscribe(
        { scanId: scan.id },
        {
          onData: () => resolve(new Error("tenant B received an event of tenant A")),
          onError: (caught) => {
            subscription.unsubscribe();
            resolve(caught);
          },
        },
      );
    });
    expect(String(error)).toMatch(`Scan ${scan.id} was not found in this tenant`);
  });

  it("a subscription streams the scan's events in order over SSE and resumes after lastEventId", async () => {
    const scan = await asAlice().scan.create.mutate({ url: "https://stream.example" });
    await asAlice().scan.cancel.mutate({ scanId: scan.id });
    const received: { id: string; type: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = asAlice().scan.progress.subscribe(
        { scanId: scan.id },
        {
          onData: ({ id, data }) => {
            received.push({ id, type: data.type });
            if (data.type === "scan.cancelled") {
              subscription.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    expect(received.map((event) => event.type)).toEqual(["scan.queued", "scan.cancelled"]);
    expect(Number(received[1]!.id)).toBeGreaterThan(Number(received[0]!.id));

    const resumed: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = asAlice().scan.progress.subscribe(
        { scanId: scan.id, lastEventId: received[0]!.id },
        {
          onData: ({ data }) => {
            resumed.push(data.type);
            subscription.unsubscribe();
            resolve();
          },
          onError: reject,
        },
      );
    });
    expect(resumed).toEqual(["scan.cancelled"]);
  });
});
