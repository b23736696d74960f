import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  evidenceIds,
  followScan,
  noJobsLeft,
  spawnWorker,
  startScanTestBed,
  type ScanTestBed,
} from "../../testing/scan";

let bed: ScanTestBed;
let fixtures: FixtureServer;
let dataDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  bed = await startScanTestBed();
  fixtures = await startFixtureServer({ sites: ["wordpress-like"] });
  dataDir = await mkdtemp(path.join(tmpdir(), "tsiq-kill-"));
});

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  await Promise.all(
    children.map((child) =>
      child.exitCode === null && child.signalCode === null
        ? new Promise((resolve) => child.once("exit", resolve))
        : null,
    ),
  );
  await fixtures.close();
  await bed.close();
  await rm(dataDir, { recursive: true, force: true });
});

function startWorkerProcess(name: string): ChildProcess {
  const { child } = spawnWorker(bed.database.url, `${name}-${process.pid}`, dataDir);
  children.push(child);
  return child;
}

/** What was observed, where: ids for timing-free evidence, url + locator for page-weight evidence. */
async function stableEvidence(scanId: string): Promise<string[]> {
  const rows = await bed.database.db.kysely
    .selectFrom("evidence_items")
    .select(["evidence_id", "collector", "url", "locator"])
    .where("scan_id", "=", scanId)
    .execute();
  return rows
    .map((row) => (row.collector === "performance" ? `${row.url} ${row.locator}` : row.evidence_id))
    .sort();
}

const scanOptions = { maxPages: 8, renderCount: 2, maxDepth: 3 };

describe("a worker killed with SIGKILL mid-stage", () => {
  it("does not leave the scan stuck: another worker resumes it from the last checkpoint with exactly the evidence of an uninterrupted scan", async () => {
    let current = startWorkerProcess("baseline");
    const baseline = await bed.client.scan.create.mutate({
      url: fixtures.url("wordpress-like"),
      options: scanOptions,
    });
    expect((await followScan(bed.client, baseline.id)).at(-1)?.type).toBe("scan.completed");
    const baselineEvidence = await evidenceIds(bed.database.db, baseline.id);
    const baselineFindings = await bed.client.scan.findings.query({ scanId: baseline.id });

    // Kill the worker as soon as each of these stages has started on it; a fresh worker takes over.
    const killAt = new Set(["crawl", "render"]);
    let generation = 0;
    const scan = await bed.client.scan.create.mutate({
      url: fixtures.url("wordpress-like"),
      options: scanOptions,
    });
    const events = await followScan(bed.client, scan.id, (event) => {
      if (event.type === "scan.stage_started" && event.stage && killAt.delete(event.stage)) {
        current.kill("SIGKILL");
        generation += 1;
        current = startWorkerProcess(`after-kill-${generation}`);
      }
    });

    expect(events.at(-1)?.type).toBe("scan.completed");
    const started = events.filter((event) => event.type === "scan.stage_started").map((event) => event.stage);
    // The killed stages ran again; finished stages were not redone.
    expect(started).toEqual(["crawl", "crawl", "render", "render", "detect", "security", "vulns", "store"]);
    expect(
      events.filter((event) => event.type === "scan.stage_completed").map((event) => event.stage),
    ).toEqual(["crawl", "render", "detect", "security", "vulns", "store"]);

    const evidence = await evidenceIds(bed.database.db, scan.id);
    expect(new Set(evidence).size).toBe(evidence.length);
    expect(evidence).toHaveLength(baselineEvidence.length);
    // Ids hash the observed bytes; page-weight evidence quotes load timings, which differ from run to run.
    expect(await stableEvidence(scan.id)).toEqual(await stableEvidence(baseline.id));
    const findings = await bed.client.scan.findings.query({ scanId: scan.id });
    expect(findings.map((finding) => `${finding.kind}:${finding.name}:${finding.version}`).sort()).toEqual(
      baselineFindings.map((finding) => `${finding.kind}:${finding.name}:${finding.version}`).sort(),
    );
    expect(await bed.client.scan.get.query({ scanId: scan.id })).toMatchObject({
      status: "succeeded",
      progress: 100,
    });
    expect(await noJobsLeft(bed.database.db, scan.id)).toBe(true);
  }, 300_000);
});
