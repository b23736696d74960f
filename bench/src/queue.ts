/**
 * ./techscaniq bench queue — what this project's job path costs over raw
 * graphile-worker, and how long a full scan takes.
 *
 * 1. No-op jobs, the same run, same database, same concurrency:
 *    - project: the product's worker (`startWorker`: heartbeat, crash
 *      recovery, the whole task list) running a `defineTask` task (zod payload
 *      parse, permanent-failure handling), jobs added with graphile-worker's
 *      `add_job` SQL inside the project's service transaction (as the API
 *      queues scans);
 *    - raw: graphile-worker's `run()` with a bare task function, jobs added
 *      with `WorkerUtils.addJob`.
 *    add→start latency: one job at a time, p50/p99 (alternating paths);
 *    throughput: a batch of no-op jobs, jobs/second until all are done.
 * 2. A full scan of the largest fixture site through the pipeline (crawl →
 *    render → detect → security → vulns → store): wall time and per-stage
 *    durations from the checkpoints.
 * Prints the ratios (goal ≤ 1.2) and the machine. Timings are not asserted anywhere.
 */
import { cpus, release, totalmem, type as osType } from "node:os";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb, JOB_QUEUE_SCHEMA, sql, withServiceTx, type Db } from "@techscaniq/db";
import {
  cloneTemplate,
  createTestTenant,
  createTestUser,
  startTestServer,
  waitUntil,
} from "@techscaniq/db/testing";
import { fixtureSitePages, largestFixtureSite, startFixtureServer } from "@techscaniq/fixtures";
import { makeWorkerUtils, run, runMigrations, type Runner } from "graphile-worker";
import { loadWorkerEnv } from "@techscaniq/worker/src/env";
import { createLogger, toGraphileLogger } from "@techscaniq/worker/src/logger";
import { defineTask } from "@techscaniq/worker/src/tasks/define";
import { startWorker } from "@techscaniq/worker/src/worker";
import { z } from "zod";

const dataDir = await mkdtemp(path.join(tmpdir(), "tsiq-bench-queue-"));
const silent = toGraphileLogger(createLogger("silent", "bench"));

const CONCURRENCY = 4;
const LATENCY_JOBS = 200;
const WARMUP_JOBS = 20;
const THROUGHPUT_JOBS = 2_000;

const started = new Map<string, number>();
let finishedCount = 0;
/** Woken by the handlers, so waiting costs no CPU (two busy cores would skew every figure). */
let wake: (() => void) | null = null;
const noteStart = (key: string) => {
  started.set(key, performance.now());
  finishedCount += 1;
  wake?.();
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function wokenUntil(done: () => boolean): Promise<void> {
  while (!done()) {
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
  }
  wake = null;
}

interface Path {
  name: string;
  add(key: string): Promise<void>;
  addMany(keys: string[]): Promise<void>;
}

async function measureLatency(path: Path, key: string): Promise<number> {
  const addedAt = performance.now();
  await path.add(key);
  await wokenUntil(() => started.has(key));
  return started.get(key)! - addedAt;
}

async function measureThroughput(path: Path, label: string): Promise<number> {
  const keys = Array.from({ length: THROUGHPUT_JOBS }, (_, i) => `${label}-${i}`);
  const before = finishedCount;
  const t0 = performance.now();
  await path.addMany(keys);
  await wokenUntil(() => finishedCount - before >= THROUGHPUT_JOBS);
  return THROUGHPUT_JOBS / ((performance.now() - t0) / 1000);
}

const postgres = await startTestServer();
const url = await cloneTemplate(postgres.url);
const db: Db = createDb(url);
let projectWorker: Awaited<ReturnType<typeof startWorker>> | undefined;
let rawRunner: Runner | undefined;
const fixtures = await startFixtureServer();
try {
  await runMigrations({ connectionString: url, schema: JOB_QUEUE_SCHEMA, logger: silent });
  const workerUtils = await makeWorkerUtils({
    connectionString: url,
    schema: JOB_QUEUE_SCHEMA,
    logger: silent,
  });

  const payload = z.object({ key: z.string().min(1) }).strict();
  const env = loadWorkerEnv({
    ...process.env,
    // The worker scans 127.0.0.1 fixtures and keeps its screenshots in this run's own dir.
    TECHSCANIQ_ALLOW_PRIVATE: "1",
    TECHSCANIQ_DATA_DIR: dataDir,
    DATABASE_URL: url,
    WORKER_HEALTH_PORT: "0",
    WORKER_CONCURRENCY: String(CONCURRENCY),
    WORKER_ID: `bench-${process.pid}`,
    LOG_LEVEL: "silent",
  });
  projectWorker = await startWorker(env, {
    logger: createLogger("silent", env.WORKER_ID),
    extraTasks: [
      defineTask({ name: "bench.project_noop", payload, handler: async ({ key }) => noteStart(key) }),
    ],
  });
  rawRunner = await run({
    connectionString: url,
    schema: JOB_QUEUE_SCHEMA,
    concurrency: CONCURRENCY,
    noHandleSignals: true,
    logger: silent,
    taskList: { bench_raw_noop: async (job) => noteStart((job as { key: string }).key) },
  });

  const project: Path = {
    name: "project (startWorker + defineTask, add_job in a service transaction)",
    add: (key) =>
      withServiceTx(db, (trx) =>
        sql`select graphile_worker.add_job('bench.project_noop', json_build_object('key', ${key}::text))`.execute(
          trx,
        ),
      ).then(() => undefined),
    addMany: (keys) =>
      withServiceTx(db, (trx) =>
        sql`select graphile_worker.add_jobs(array(
              select row('bench.project_noop', json_build_object('key', k), null, null, null, null, null, null)::graphile_worker.job_spec
                from unnest(${keys}::text[]) k))`.execute(trx),
      ).then(() => undefined),
  };
  const raw: Path = {
    name: "raw graphile-worker (run + addJob)",
    add: (key) => workerUtils.addJob("bench_raw_noop", { key }).then(() => undefined),
    addMany: (keys) =>
      workerUtils
        .addJobs(keys.map((key) => ({ identifier: "bench_raw_noop", payload: { key } })))
        .then(() => undefined),
  };

  process.stderr.write(
    `add→start latency: ${WARMUP_JOBS} warm-up + ${LATENCY_JOBS} jobs per path, alternating…\n`,
  );
  const latency = { project: [] as number[], raw: [] as number[] };
  for (let i = 0; i < WARMUP_JOBS + LATENCY_JOBS; i++) {
    const p = await measureLatency(project, `lat-p-${i}`);
    const r = await measureLatency(raw, `lat-r-${i}`);
    if (i >= WARMUP_JOBS) {
      latency.project.push(p);
      latency.raw.push(r);
    }
  }
  process.stderr.write(`throughput: ${THROUGHPUT_JOBS} no-op jobs per path, twice each, alternating…\n`);
  const throughput = { project: [] as number[], raw: [] as number[] };
  for (let round = 0; round < 2; round++) {
    throughput.project.push(await measureThroughput(project, `tp-p-${round}`));
    throughput.raw.push(await measureThroughput(raw, `tp-r-${round}`));
  }
  await workerUtils.release();

  // ---- 2. a full scan of the largest fixture site
  const largest = largestFixtureSite();
  const owner = await createTestUser(db);
  const tenant = await createTestTenant(db, owner.id);
  const options = { maxPages: 20, renderCount: 3, maxDepth: 3 };
  process.stderr.write(
    `full scan of fixture site ${largest} (${fixtureSitePages(largest)} HTML pages, ${JSON.stringify(options)})…\n`,
  );
  const scanStarted = performance.now();
  const scanId = await withServiceTx(db, async (trx) => {
    const scan = await trx
      .insertInto("scans")
      .values({
        tenant_id: tenant.id,
        created_by: owner.id,
        target_url: fixtures.url(largest),
        options: JSON.stringify(options),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await sql`select private.enqueue_scan_job(${scan.id}::uuid, 'scan.crawl')`.execute(trx);
    return scan.id;
  });
  let status = "queued";
  await waitUntil(
    async () => {
      status = (
        await db.kysely
          .selectFrom("scans")
          .select("status")
          .where("id", "=", scanId)
          .executeTakeFirstOrThrow()
      ).status;
      return status !== "queued" && status !== "running";
    },
    { what: `scan ${scanId} to finish`, timeoutMs: 600_000, intervalMs: 50 },
  );
  const scanWallMs = performance.now() - scanStarted;
  const stages = await db.kysely
    .selectFrom("scan_stage_results")
    .select(["stage", "duration_ms"])
    .where("scan_id", "=", scanId)
    .orderBy("finished_at")
    .execute();
  const counts = await sql<{ evidence: number; findings: number; pages: number }>`
    select (select count(*)::int from evidence_items where scan_id = ${scanId}) as evidence,
           (select count(*)::int from findings where scan_id = ${scanId}) as findings,
           (select count(*)::int from scan_pages where scan_id = ${scanId}) as pages`.execute(db.kysely);

  // ---- report
  const cpu = cpus();
  const versions = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db.kysely);
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const lp = sorted(latency.project);
  const lr = sorted(latency.raw);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  console.log("Queue benchmark — graphile-worker through this project's task path vs raw");
  console.log(
    `machine: ${cpu[0]?.model.trim() ?? "unknown CPU"} × ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${osType()} ${release()}, node ${process.version}, Postgres ${versions.rows[0]!.v} (embedded, durability off), concurrency ${CONCURRENCY}`,
  );
  console.log("");
  console.log(`${"add→start latency".padEnd(72)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}`);
  console.log(
    `${project.name.padEnd(72)}${percentile(lp, 50).toFixed(2).padStart(9)}${percentile(lp, 99).toFixed(2).padStart(9)}`,
  );
  console.log(
    `${raw.name.padEnd(72)}${percentile(lr, 50).toFixed(2).padStart(9)}${percentile(lr, 99).toFixed(2).padStart(9)}`,
  );
  console.log(
    `${"ratio project / raw".padEnd(72)}${(percentile(lp, 50) / percentile(lr, 50)).toFixed(2).padStart(9)}${(percentile(lp, 99) / percentile(lr, 99)).toFixed(2).padStart(9)}`,
  );
  console.log("");
  console.log(`${`no-op throughput (${THROUGHPUT_JOBS} jobs, best of 2)`.padEnd(72)}${"jobs/s".padStart(9)}`);
  const bestProject = Math.max(...throughput.project);
  const bestRaw = Math.max(...throughput.raw);
  console.log(`${project.name.padEnd(72)}${bestProject.toFixed(0).padStart(9)}`);
  console.log(`${raw.name.padEnd(72)}${bestRaw.toFixed(0).padStart(9)}`);
  console.log(
    `${"ratio project / raw (time per job)".padEnd(72)}${(bestRaw / bestProject).toFixed(2).padStart(9)}`,
  );
  console.log(
    `(means: latency ${mean(lp).toFixed(2)} / ${mean(lr).toFixed(2)} ms; throughput rounds ${throughput.project.map((v) => v.toFixed(0)).join(", ")} / ${throughput.raw.map((v) => v.toFixed(0)).join(", ")})`,
  );
  console.log("");
  console.log(
    `full scan of fixture site "${largest}": ${status} in ${(scanWallMs / 1000).toFixed(2)} s wall (${counts.rows[0]!.pages} pages, ${counts.rows[0]!.evidence} evidence items, ${counts.rows[0]!.findings} findings)`,
  );
  for (const stage of stages)
    console.log(`  ${stage.stage.padEnd(10)}${(stage.duration_ms / 1000).toFixed(2).padStart(8)} s`);
  const stageTotal = stages.reduce((sum, stage) => sum + stage.duration_ms, 0);
  console.log(
    `  ${"queue+db".padEnd(10)}${((scanWallMs - stageTotal) / 1000).toFixed(2).padStart(8)} s  (job hand-offs, checkpoints, events)`,
  );
} finally {
  await rawRunner?.stop();
  await projectWorker?.stop();
  const { closeReportCheckpointers } = await import("@techscaniq/worker/src/tasks/report/index");
  await closeReportCheckpointers();
  await fixtures.close();
  await db.close();
  await postgres.stop();
  await rm(dataDir, { recursive: true, force: true });
}
