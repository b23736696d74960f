import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { AgentSpecInput } from "@techscaniq/contracts/agents";
import { sql, withServiceTx } from "@techscaniq/db";
import {
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { SITES_DIR, startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWorkerEnv } from "../../env";
import { createLogger } from "../../logger";
import { createPublishedAgent, eventually, type TestMember } from "../../testing/agent";
import { startWorker, type RunningWorker } from "../../worker";
import { watchlistTick } from "./watch";

let database: TestDatabase;
let worker: RunningWorker;
let fixtures: FixtureServer;
let sitesDir: string;
let member: TestMember;

/** Replaces `from` with `to` in every text file of the served site copy (a release of the site). */
async function editSite(site: string, from: string, to: string): Promise<void> {
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir)) {
      const file = path.join(dir, entry);
      if ((await stat(file)).isDirectory()) await walk(file);
      else if (/\.(html|js|css|json|xml|txt)$/.test(entry))
        await writeFile(file, (await readFile(file, "utf8")).replaceAll(from, to));
    }
  };
  await walk(path.join(sitesDir, site));
}

/** A watchlist (yearly cadence, so the worker's own minute tick leaves it alone) due at `dueAt`. */
async function createWatchlist(name: string, urls: string[], dueAt: Date) {
  return withServiceTx(database.db, async (tx) => {
    const watchlist = await tx
      .insertInto("watchlists")
      .values({
        tenant_id: member.tenantId,
        name,
        cron: "0 0 1 1 *",
        timezone: "Europe/Amsterdam",
        next_run_at: dueAt,
        created_by: member.userId,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await tx
      .insertInto("watchlist_urls")
      .values(urls.map((url) => ({ tenant_id: member.tenantId, watchlist_id: watchlist.id, url })))
      .execute();
    return watchlist.id;
  });
}

const urlEntry = (watchlistId: string) =>
  database.db.kysely
    .selectFrom("watchlist_urls")
    .selectAll()
    .where("watchlist_id", "=", watchlistId)
    .executeTakeFirstOrThrow();

const scansOf = (url: string) =>
  database.db.kysely.selectFrom("scans").select("id").where("target_url", "=", url).execute();

/** Scans take minutes with Chromium on a loaded machine. */
const SCAN_WAIT_MS = 480_000;

beforeAll(async () => {
  database = await createTestDatabase();
  sitesDir = await mkdtemp(path.join(tmpdir(), "tsiq-watch-sites-"));
  await cp(SITES_DIR, sitesDir, { recursive: true });
  fixtures = await startFixtureServer({ sites: ["wordpress-like"], sitesDir });
  const user = await createTestUser(database.db);
  member = { tenantId: (await createTestTenant(database.db, user.id)).id, userId: user.id };
  const env = loadWorkerEnv({
    DATABASE_URL: database.url,
    WORKER_HEALTH_PORT: "0",
    WORKER_CONCURRENCY: "2",
    WORKER_ID: `watchlist-test-${process.pid}`,
    TECHSCANIQ_ALLOW_PRIVATE: "1",
  });
  worker = await startWorker(env, { logger: createLogger("silent", env.WORKER_ID) });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  const { closeReportCheckpointers } = await import("../report/index");
  await closeReportCheckpointers();
  await fixtures?.close();
  await database?.drop();
  await rm(sitesDir, { recursive: true, force: true });
});

describe("watchlists: a version change between two scans", () => {
  it(
    "re-scans the URL on its slot, records the WordPress upgrade in the timeline and emits finding.changed",
    { timeout: 2 * SCAN_WAIT_MS + 120_000 },
    async () => {
      // An agent subscribed to the watchlist's version changes.
      const notifier: AgentSpecInput = {
        instructions: "Tell the team about the change.",
        inputSchema: { type: "object", properties: { url: { type: "string" } }, required: ["url"] },
        tools: ["propose_action"],
        outputs: { actions: ["issue.create"] },
        autonomy: "suggest",
        plan: [{ tool: "propose_action", input: { action: "issue.create", title: "Changed", body: "x" } }],
      };
      const agentId = await createPublishedAgent(database.db, member, notifier);
      await withServiceTx(database.db, (tx) =>
        tx
          .insertInto("agent_triggers")
          .values({
            tenant_id: member.tenantId,
            agent_id: agentId,
            event_type: "finding.changed",
            filter: JSON.stringify([{ path: "data.changes.0.kind", op: "eq", value: "version_changed" }]),
            input_map: JSON.stringify({ url: "data.url" }),
          })
          .execute(),
      );

      const url = fixtures.url("wordpress-like");
      // The slot was two hours ago, so every spread start is due. The worker's own minute tick may
      // take it first: either way the URL gets exactly one scan.
      const slot = new Date(Date.now() - 2 * 60 * 60 * 1000);
      const watchlistId = await createWatchlist("Portfolio", [url], slot);
      await watchlistTick(database.db);
      expect(await watchlistTick(database.db)).toEqual({ watchlists: 0, scans: 0 });
      expect(await scansOf(url)).toHaveLength(1);
      const first = (await scansOf(url))[0]!.id;
      const baseline = await eventually(
        async () => {
          const entry = await urlEntry(watchlistId);
          return entry.pending_scan_id === null ? entry : null;
        },
        "the first scan to be compared",
        SCAN_WAIT_MS,
      );
      expect(baseline.last_scan_id).toBe(first);

      // The site releases a new WordPress; the watchlist's next slot re-scans it.
      await editSite("wordpress-like", "6.4.2", "6.5.0");
      await withServiceTx(database.db, (tx) =>
        tx.updateTable("watchlists").set({ next_run_at: slot }).where("id", "=", watchlistId).execute(),
      );
      await watchlistTick(database.db);
      expect(await scansOf(url)).toHaveLength(2);
      const second = (await scansOf(url)).find((scan) => scan.id !== first)!.id;
      const scans = await database.db.kysely
        .selectFrom("scans")
        .select(["id", "parent_scan_id"])
        .where("id", "=", second)
        .executeTakeFirstOrThrow();
      expect(scans.parent_scan_id).toBe(first);

      const changes = await eventually(
        async () => {
          const rows = await database.db.kysely
            .selectFrom("watchlist_changes")
            .selectAll()
            .where("watchlist_id", "=", watchlistId)
            .execute();
          return rows.length > 0 ? rows : null;
        },
        "the second scan's changes",
        SCAN_WAIT_MS,
      );
      expect(
        changes.map((change) => [change.kind, change.details, change.previous_scan_id, change.scan_id]),
      ).toEqual([["version_changed", { name: "WordPress", from: "6.4.2", to: "6.5.0" }, first, second]]);
      expect((await urlEntry(watchlistId)).last_scan_id).toBe(second);
      const event = await database.db.kysely
        .selectFrom("events")
        .selectAll()
        .where("id", "=", changes[0]!.event_id!)
        .executeTakeFirstOrThrow();
      expect(event).toMatchObject({
        type: "finding.changed",
        tenant_id: member.tenantId,
        subject: watchlistId,
      });
      expect(event.data).toMatchObject({ watchlistId, url, previousScanId: first, scanId: second });

      // The subscribed agent ran on it, with the URL from the event.
      const run = await eventually(
        () =>
          database.db.kysely
            .selectFrom("agent_runs")
            .selectAll()
            .where("agent_id", "=", agentId)
            .executeTakeFirst(),
        "the agent run the change triggered",
        60_000,
      );
      expect(run).toMatchObject({ trigger: "event", trigger_event_id: event.id, input: { url } });
    },
  );
});

describe("watchlists: 50 URLs re-scanned on one slot do not start at once", () => {
  it("queues each scan's job at its own offset within the hour after the slot", async () => {
    // A slot a day ahead: the jobs stay queued, so the worker started above takes none.
    const now = new Date(Date.now() + 24 * 60 * 60 * 1000);
    const urls = Array.from({ length: 50 }, (_, i) => `https://site-${i}.example/`);
    const watchlistId = await createWatchlist("Fifty", urls, now);
    expect(await watchlistTick(database.db, now)).toEqual({ watchlists: 1, scans: 50 });
    const { rows } = await sql<{ run_at: Date }>`
      select j.run_at from graphile_worker.jobs j
        join public.watchlist_urls u on j.key = 'scan:' || u.pending_scan_id::text
       where u.watchlist_id = ${watchlistId}::uuid`.execute(database.db.kysely);
    expect(rows).toHaveLength(50);
    const offsets = rows.map((row) => row.run_at.getTime() - now.getTime());
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...offsets)).toBeLessThan(60 * 60 * 1000);
    // Spread: no minute holds more than a handful of the 50 starts (about one a minute on average).
    const perMinute = new Map<number, number>();
    for (const offset of offsets) {
      const minute = Math.floor(offset / 60_000);
      perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
    }
    expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(8);
  });
});
