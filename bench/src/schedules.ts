/**
 * ./techscaniq bench schedules — what the schedules' minute tick costs.
 *
 * A throwaway embedded Postgres (migrated template, durability off) with one tenant, 100 published
 * agents and 10,000 enabled schedules (cron in ten zones), of which 1,000 are due: the worker's
 * `tickSchedules` (the body of agent.schedule_tick) reads and locks them, writes 1,000 queued runs,
 * their graphile-worker jobs (key sched:<id>:<slot>) and agent_run.queued events, and moves each
 * schedule's next_run_at on. Between rounds the due schedules are set back and the runs, jobs and
 * events removed. Also the tick when nothing is due (the cost every minute of a quiet system).
 * Prints p50/mean/min per tick and the machine. Timings are not asserted anywhere.
 */
import { cpus, release, totalmem, type as osType } from "node:os";
import { createDb, sql, withServiceTx, type Db } from "@techscaniq/db";
import { cloneTemplate, createTestTenant, createTestUser, startTestServer } from "@techscaniq/db/testing";
import { tickSchedules } from "@techscaniq/worker/src/tasks/agent/schedule-tick";

const SCHEDULES = 10_000;
const DUE = 1_000;
const AGENTS = 100;
const ROUNDS = 7;
const ZONES = [
  "UTC",
  "Europe/Amsterdam",
  "Europe/London",
  "America/New_York",
  "America/Los_Angeles",
  "Asia/Tokyo",
  "Asia/Kolkata",
  "Australia/Sydney",
  "America/Sao_Paulo",
  "Africa/Johannesburg",
];
/** The tick's clock: one second into a minute, so every-minute slots at :00 are the current slot. */
const NOW = new Date("2026-12-07T10:00:01Z");
const SLOT = new Date("2026-12-07T10:00:00Z");
const SPEC = JSON.stringify({ instructions: "x", inputSchema: { type: "object" }, tools: ["scan_url"] });

async function seed(db: Db): Promise<void> {
  const owner = await createTestUser(db);
  const tenant = await createTestTenant(db, owner.id);
  await withServiceTx(db, async (tx) => {
    await sql`
      insert into public.agents (tenant_id, name, draft_spec)
      select ${tenant.id}::uuid, 'agent ' || n, ${SPEC}::jsonb from generate_series(1, ${AGENTS}) n`.execute(
      tx,
    );
    await sql`
      insert into public.agent_versions (tenant_id, agent_id, version, spec)
      select tenant_id, id, 1, draft_spec from public.agents`.execute(tx);
    await sql`update public.agents set status = 'published', current_version = 1`.execute(tx);
    // Due: every minute (their slot is the current minute). Not due: 09:00 daily, next tomorrow.
    await sql`
      insert into public.agent_schedules (tenant_id, agent_id, cron, timezone, overlap, input, next_run_at)
      select a.tenant_id, a.id,
             case when n <= ${DUE} then '* * * * *' else '0 9 * * *' end,
             (${ZONES}::text[])[1 + n % ${ZONES.length}],
             'allow', '{}'::jsonb,
             case when n <= ${DUE} then ${SLOT}::timestamptz else ${SLOT}::timestamptz + interval '1 day' end
        from generate_series(1, ${SCHEDULES}) n
        join (select id, tenant_id, row_number() over (order by id) - 1 as i from public.agents) a
          on a.i = n % ${AGENTS}`.execute(tx);
  });
  await sql`vacuum analyze`.execute(db.kysely);
}

async function resetDue(db: Db): Promise<void> {
  await withServiceTx(db, async (tx) => {
    await sql`delete from public.agent_runs`.execute(tx);
    await sql`delete from graphile_worker._private_jobs`.execute(tx);
    await sql`delete from public.events where type like 'agent_run.%'`.execute(tx);
    await sql`update public.agent_schedules set next_run_at = ${SLOT} where cron = '* * * * *'`.execute(tx);
  });
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: sorted[Math.floor(sorted.length / 2)]!,
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    min: sorted[0]!,
  };
};

const postgres = await startTestServer();
const url = await cloneTemplate(postgres.url);
const db = createDb(url);
try {
  await seed(db);
  const due: number[] = [];
  const quiet: number[] = [];
  let queued = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    await resetDue(db);
    const t0 = performance.now();
    const result = await tickSchedules(db, NOW);
    const elapsed = performance.now() - t0;
    const t1 = performance.now();
    const idle = await tickSchedules(db, NOW);
    const idleElapsed = performance.now() - t1;
    if (result.queued !== DUE || idle.schedules !== 0)
      throw new Error(`tick queued ${result.queued} of ${DUE}, then found ${idle.schedules} still due`);
    queued = result.queued;
    if (round === 0) continue; // warm-up
    due.push(elapsed);
    quiet.push(idleElapsed);
  }

  const cpu = cpus();
  const version = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db.kysely);
  console.log("Schedules benchmark — agent.schedule_tick");
  console.log(
    `machine: ${cpu[0]?.model.trim() ?? "unknown CPU"} × ${cpu.length} cores, ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${osType()} ${release()}, node ${process.version}, ` +
      `Postgres ${version.rows[0]!.v} (embedded, durability off)`,
  );
  console.log(`${SCHEDULES} enabled schedules in ${ZONES.length} zones, ${AGENTS} agents, ${ROUNDS} rounds`);
  console.log("");
  console.log(`${"tick".padEnd(56)}${"p50 ms".padStart(9)}${"mean ms".padStart(9)}${"min ms".padStart(9)}`);
  const row = (label: string, values: number[]) => {
    const { p50, mean, min } = stats(values);
    console.log(label.padEnd(56) + [p50, mean, min].map((value) => value.toFixed(1).padStart(9)).join(""));
  };
  row(`${DUE} due → ${queued} runs + jobs + events`, due);
  row("nothing due", quiet);
  console.log(`per due schedule (p50): ${(stats(due).p50 / DUE).toFixed(3)} ms`);
} finally {
  await db.close();
  await postgres.stop();
}
