import { sql, withServiceTx } from "@techscaniq/db";
import { addTestMember, createTestTenant } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, startApiTestBed, type ApiTestBed, type SignedInUser } from "../testing";

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

afterAll(() => bed.close());

const watchlistRows = async () =>
  (
    await sql<{ n: number }>`select (select count(*)::int from public.watchlists)
                               + (select count(*)::int from public.watchlist_urls) as n`.execute(
      bed.database.db.kysely,
    )
  ).rows[0]!.n;

describe("watchlists: watchlist router", () => {
  it("creates a watchlist with normalised URLs and its next slot, adds and removes URLs", async () => {
    const created = await asAlice().watchlist.create.mutate({
      name: "Portfolio",
      cron: "0 6 * * 1-5",
      timezone: "Europe/Amsterdam",
      urls: ["shop.example", "https://blog.example/#top", "shop.example"],
    });
    expect(created).toMatchObject({
      name: "Portfolio",
      cron: "0 6 * * 1-5",
      enabled: true,
      urlCount: 2,
      rules: { versionChanged: true, minVulnerabilitySeverity: "medium", gradeDrop: true },
    });
    expect(created.urls.map((entry) => entry.url).sort()).toEqual([
      "https://blog.example/",
      "https://shop.example/",
    ]);
    // 06:00 in Amsterdam is 05:00 or 04:00 UTC.
    expect(new Date(created.nextRunAt!).getTime()).toBeGreaterThan(Date.now());
    expect(["04:00", "05:00"]).toContain(created.nextRunAt!.slice(11, 16));

    const grown = await asAlice().watchlist.addUrls.mutate({
      watchlistId: created.id,
      urls: ["https://shop.example/", "https://docs.example/"],
    });
    expect(grown.urlCount).toBe(3);
    const docs = grown.urls.find((entry) => entry.url === "https://docs.example/")!;
    const shrunk = await asAlice().watchlist.removeUrl.mutate({ watchlistId: created.id, urlId: docs.id });
    expect(shrunk.urlCount).toBe(2);
    const paused = await asAlice().watchlist.update.mutate({ watchlistId: created.id, enabled: false });
    expect(paused).toMatchObject({ enabled: false, nextRunAt: null });
    expect((await asAlice().watchlist.list.query()).map((w) => [w.name, w.urlCount])).toEqual([
      ["Portfolio", 2],
    ]);
  });

  it("refuses a bad cron, zone or URL naming the problem, a taken name, and changes nothing", async () => {
    const before = await watchlistRows();
    const create = (
      input: Partial<Parameters<ReturnType<typeof asAlice>["watchlist"]["create"]["mutate"]>[0]>,
    ) => asAlice().watchlist.create.mutate({ name: "Bad", cron: "0 6 * * *", urls: ["a.example"], ...input });
    await expectTrpcError(
      create({ cron: "61 * * * *" }),
      "BAD_REQUEST",
      "minute field: 61 is out of range 0-59",
    );
    await expectTrpcError(create({ timezone: "Mars/Olympus" }), "BAD_REQUEST", "is not an IANA time zone");
    await expectTrpcError(create({ urls: ["ftp://a.example/"] }), "BAD_REQUEST", "must use http or https");
    await expectTrpcError(create({ urls: [] }), "BAD_REQUEST", "give at least one URL");
    expect(await watchlistRows()).toBe(before);
    await asAlice().watchlist.create.mutate({ name: "Taken", cron: "0 6 * * *", urls: ["a.example"] });
    const after = await watchlistRows();
    await expectTrpcError(create({ name: "Taken" }), "CONFLICT", "already exists");
    expect(await watchlistRows()).toBe(after);
  });

  it("pages the timeline newest first, per URL, with links to both scans", async () => {
    const watchlist = await asAlice().watchlist.create.mutate({
      name: "Timeline",
      cron: "0 6 * * *",
      urls: ["https://one.example/", "https://two.example/"],
    });
    const [one, two] = ["https://one.example/", "https://two.example/"].map((url) =>
      watchlist.urls.find((entry) => entry.url === url)!,
    );
    // The worker's part (watchlist.compare): two scans of each URL and the changes between them.
    const changes = await withServiceTx(bed.database.db, async (tx) => {
      const scan = async (url: string) =>
        (
          await tx
            .insertInto("scans")
            .values({ tenant_id: tenantA.id, target_url: url, status: "succeeded" })
            .returning("id")
            .executeTakeFirstOrThrow()
        ).id;
      const rows = [];
      for (const [entry, name] of [
        [one!, "jQuery"],
        [two!, "WordPress"],
        [one!, "React"],
      ] as const) {
        const [previous, next] = [await scan(entry.url), await scan(entry.url)];
        rows.push(
          await tx
            .insertInto("watchlist_changes")
            .values({
              tenant_id: tenantA.id,
              watchlist_id: watchlist.id,
              watchlist_url_id: entry.id,
              url: entry.url,
              previous_scan_id: previous,
              scan_id: next,
              kind: "version_changed",
              details: JSON.stringify({ name, from: "1", to: "2" }),
              created_at: new Date(Date.now() + rows.length * 1000),
            })
            .returning(["id", "previous_scan_id", "scan_id"])
            .executeTakeFirstOrThrow(),
        );
      }
      return rows;
    });
    const page1 = await asAlice().watchlist.timeline.query({ watchlistId: watchlist.id, limit: 2 });
    expect(page1.items.map((change) => change.details.name)).toEqual(["React", "WordPress"]);
    expect(page1.items[0]).toMatchObject({
      url: "https://one.example/",
      previousScanId: changes[2]!.previous_scan_id,
      scanId: changes[2]!.scan_id,
    });
    const page2 = await asAlice().watchlist.timeline.query({
      watchlistId: watchlist.id,
      limit: 2,
      cursor: page1.nextCursor!,
    });
    expect(page2).toMatchObject({ items: [{ details: { name: "jQuery" } }], nextCursor: null });
    const ofOne = await asAlice().watchlist.timeline.query({ watchlistId: watchlist.id, urlId: one!.id });
    expect(ofOne.items.map((change) => change.details.name)).toEqual(["React", "jQuery"]);
  });

  it("another tenant gets NOT_FOUND and a viewer FORBIDDEN, changing nothing", async () => {
    const watchlist = await asAlice().watchlist.create.mutate({
      name: "Private",
      cron: "0 6 * * *",
      urls: ["https://private.example/"],
    });
    const before = await watchlistRows();
    await expectTrpcError(asBob().watchlist.get.query({ watchlistId: watchlist.id }), "NOT_FOUND");
    await expectTrpcError(asBob().watchlist.timeline.query({ watchlistId: watchlist.id }), "NOT_FOUND");
    await expectTrpcError(
      asBob().watchlist.addUrls.mutate({ watchlistId: watchlist.id, urls: ["https://x.example/"] }),
      "NOT_FOUND",
    );
    await expectTrpcError(asBob().watchlist.delete.mutate({ watchlistId: watchlist.id }), "NOT_FOUND");
    await expectTrpcError(
      asViewer().watchlist.removeUrl.mutate({ watchlistId: watchlist.id, urlId: watchlist.urls[0]!.id }),
      "FORBIDDEN",
    );
    expect((await asViewer().watchlist.get.query({ watchlistId: watchlist.id })).urlCount).toBe(1);
    expect(await watchlistRows()).toBe(before);
  });
});
