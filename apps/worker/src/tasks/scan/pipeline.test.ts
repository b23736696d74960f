import { HEADER_GRADE_FINDING } from "@techscaniq/contracts/scan";
import { sql, withServiceTx } from "@techscaniq/db";
import { waitUntil } from "@techscaniq/db/testing";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWorkerEnv } from "../../env";
import { createLogger } from "../../logger";
import { startWorker } from "../../worker";
import {
  chromiumDescendants,
  evidenceIds,
  followScan,
  jobsOf,
  noJobsLeft,
  startScanTestBed,
  type ScanTestBed,
} from "../../testing/scan";

type RunningWorker = Awaited<ReturnType<typeof startWorker>>;

let bed: ScanTestBed;
let fixtures: FixtureServer;
let worker: RunningWorker | undefined;

async function startInProcessWorker(): Promise<RunningWorker> {
  const env = loadWorkerEnv({
    ...process.env,
    // The tests scan 127.0.0.1 fixtures: the operator's switch.
    TECHSCANIQ_ALLOW_PRIVATE: "1",
    DATABASE_URL: bed.database.url,
    WORKER_HEALTH_PORT: "0",
    WORKER_CONCURRENCY: "2",
    WORKER_ID: `scan-test-${process.pid}`,
  });
  return startWorker(env, { logger: createLogger("silent", env.WORKER_ID) });
}

/** Started lazily: the double-submit test queues its jobs before any worker runs. */
async function ensureWorker(): Promise<void> {
  worker ??= await startInProcessWorker();
}

beforeAll(async () => {
  bed = await startScanTestBed();
  fixtures = await startFixtureServer();
});

afterAll(async () => {
  await worker?.stop();
  // Successful scans queue reports; their LangGraph checkpointer keeps its own pool open.
  const { closeReportCheckpointers } = await import("../report/index");
  await closeReportCheckpointers();
  await fixtures.close();
  await bed.close();
});

/** Scans render in Chromium; on a loaded machine that takes a while. */
const SCAN_TIMEOUT_MS = 180_000;

const stageEvents = (events: { type: string; stage: string | null }[], type: string) =>
  events.filter((event) => event.type === type).map((event) => event.stage);

describe("scan pipeline (worker in-process, API over HTTP)", () => {
  it(
    "a double submit under the same job key runs the scan once",
    async () => {
      const scan = await bed.client.scan.create.mutate({
        url: fixtures.url("fingerprints-htmx"),
        options: { maxPages: 3, renderCount: 0, maxDepth: 1 },
      });
      for (let i = 0; i < 2; i += 1) {
        await withServiceTx(bed.database.db, (tx) =>
          sql`select private.enqueue_scan_job(${scan.id}::uuid, 'scan.crawl')`.execute(tx),
        );
      }
      expect(await jobsOf(bed.database.db, scan.id)).toHaveLength(1);
      await ensureWorker();
      const events = await followScan(bed.client, scan.id);
      expect(events.at(-1)?.type).toBe("scan.completed");
      expect(stageEvents(events, "scan.stage_started")).toEqual([
        "crawl",
        "render",
        "detect",
        "security",
        "vulns",
        "store",
      ]);
      expect(events.filter((event) => event.type === "scan.started")).toHaveLength(1);
      expect(await noJobsLeft(bed.database.db, scan.id)).toBe(true);
    },
    SCAN_TIMEOUT_MS,
  );

  it(
    "scans a fixture site end to end: queued → running → succeeded, findings and evidence stored, events in order over SSE",
    async () => {
      await ensureWorker();
      const scan = await bed.client.scan.create.mutate({
        url: fixtures.url("wordpress-like"),
        options: { maxPages: 10, renderCount: 1, maxDepth: 3 },
      });
      expect(scan.status).toBe("queued");
      const events = await followScan(bed.client, scan.id);

      expect(events[0]?.type).toBe("scan.queued");
      expect(events[1]?.type).toBe("scan.started");
      expect(events.at(-1)?.type).toBe("scan.completed");
      const ids = events.map((event) => Number(event.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      const lifecycle = events
        .filter((event) => event.type.startsWith("scan.stage_"))
        .map((event) => `${event.type}:${event.stage}`);
      expect(lifecycle).toEqual(
        ["crawl", "render", "detect", "security", "vulns", "store"].flatMap((stage) => [
          `scan.stage_started:${stage}`,
          `scan.stage_completed:${stage}`,
        ]),
      );
      const progress = events.map((event) => Number(event.data.progress));
      expect(progress).toEqual([...progress].sort((a, b) => a - b));

      const done = await bed.client.scan.get.query({ scanId: scan.id });
      expect(done).toMatchObject({ status: "succeeded", progress: 100, error: null, stage: "store" });
      expect(done.startedAt).not.toBeNull();
      expect(done.finishedAt).not.toBeNull();

      const findings = await bed.client.scan.findings.query({ scanId: scan.id });
      const wordpress = findings.find(
        (finding) => finding.kind === "technology" && finding.name === "WordPress",
      );
      expect(wordpress?.version).toMatch(/^\d+\.\d+/);
      expect(
        findings.some(
          (finding) =>
            finding.kind === HEADER_GRADE_FINDING.kind && finding.name === HEADER_GRADE_FINDING.name,
        ),
      ).toBe(true);
      expect(findings.some((finding) => finding.kind === "performance")).toBe(true);

      // Every finding cites evidence that is stored.
      const stored = new Set(await evidenceIds(bed.database.db, scan.id));
      expect(stored.size).toBeGreaterThan(0);
      for (const finding of findings)
        for (const id of finding.evidenceIds)
          expect(stored.has(id), `${finding.name} cites ${id}`).toBe(true);
      const cited = await bed.client.scan.evidence.list.query({ scanId: scan.id, findingId: wordpress!.id });
      expect(cited.items.map((item) => item.id).sort()).toEqual([...wordpress!.evidenceIds].sort());

      const pages = await bed.client.scan.pages.query({ scanId: scan.id });
      expect(pages.length).toBeGreaterThan(1);
      const home = pages.find((page) => page.rendered);
      expect(home?.hasScreenshot).toBe(true);
      const screenshot = await bed.client.scan.screenshot.query({ scanId: scan.id, pageId: home!.id });
      expect(Buffer.from(screenshot.base64, "base64").subarray(1, 4).toString()).toBe("PNG");
      expect(await noJobsLeft(bed.database.db, scan.id)).toBe(true);
    },
    SCAN_TIMEOUT_MS,
  );

  it(
    "a blocked target fails at once with the scanner's message, without retries",
    async () => {
      await ensureWorker();
      const scan = await bed.client.scan.create.mutate({
        url: "http://169.254.169.254/latest/meta-data/",
        options: { renderCount: 0 },
      });
      const events = await followScan(bed.client, scan.id);
      expect(events.map((event) => event.type)).toEqual([
        "scan.queued",
        "scan.started",
        "scan.stage_started",
        "scan.failed",
      ]);
      const failed = await bed.client.scan.get.query({ scanId: scan.id });
      expect(failed.status).toBe("failed");
      expect(failed.error?.code).toBe("blocked_target");
      expect(failed.error?.message).toMatch(/^blocked: 169\.254\.169\.254 is a link-local address/);
      expect(failed.attempts).toBe(1);
      expect(await noJobsLeft(bed.database.db, scan.id)).toBe(true);
    },
    SCAN_TIMEOUT_MS,
  );

  it(
    "cancel during render ends the scan cancelled at once with the browser closed, keeping what was found",
    async () => {
      await ensureWorker();
      // The earlier scans' reports render PDFs in this process: their Chromium must be gone before we count ours.
      await waitUntil(async () => (await chromiumDescendants(process.pid)).length === 0, {
        what: "the earlier reports' Chromium to exit",
        timeoutMs: 60_000,
      });
      const scan = await bed.client.scan.create.mutate({
        url: fixtures.url("wordpress-like"),
        options: { maxPages: 10, renderCount: 3 },
      });
      let cancelledAt: string | null = null;
      const events = await followScan(bed.client, scan.id, async (event) => {
        if (event.type === "scan.stage_started" && event.stage === "render" && !cancelledAt) {
          // Let Chromium start, then cancel.
          for (let i = 0; i < 100 && (await chromiumDescendants(process.pid)).length === 0; i += 1)
            await new Promise((resolve) => setTimeout(resolve, 50));
          cancelledAt = (await bed.client.scan.cancel.mutate({ scanId: scan.id })).cancelRequestedAt;
        }
      });
      expect(cancelledAt).not.toBeNull();
      expect(events.at(-1)?.type).toBe("scan.cancelled");
      expect(stageEvents(events, "scan.stage_completed")).toEqual(["crawl"]);
      expect(await bed.client.scan.get.query({ scanId: scan.id })).toMatchObject({
        status: "cancelled",
        stage: "render",
      });
      expect(await chromiumDescendants(process.pid)).toEqual([]);
      // The crawl's pages stay; no render checkpoint was written.
      expect((await bed.client.scan.pages.query({ scanId: scan.id })).length).toBeGreaterThan(1);
      const checkpoints = await bed.database.db.kysely
        .selectFrom("scan_stage_results")
        .select("stage")
        .where("scan_id", "=", scan.id)
        .execute();
      expect(checkpoints.map((row) => row.stage)).toEqual(["crawl"]);
      expect(await noJobsLeft(bed.database.db, scan.id)).toBe(true);
    },
    SCAN_TIMEOUT_MS,
  );
});
