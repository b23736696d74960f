import { randomUUID } from "node:crypto";
import { createDb, sql, withRlsTx, withServiceTx, withTenantAgentTx } from "@techscaniq/db";
import {
  asRlsActor,
  createRlsWorld,
  describeRlsMatrix,
  RLS_RUNNER_ACTORS,
  runRlsCell,
  type RlsActor as Actor,
  type RlsRunnerActor as Runner,
  type RlsTableCase,
  type RlsTrx as Trx,
  type RlsWorld,
} from "@techscaniq/db/rls-matrix";
import { createTestDatabase, type TestDatabase } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The agent tables' RLS matrix, like the scan tables': every table × every
 * kind of caller × every operation, as `authenticated` (or `anon`) exactly as
 * PostgREST runs requests. Exactly the cells in `allowed` may succeed; every
 * cell runs in a transaction that is rolled back.
 */

interface World extends RlsWorld {
  agentA: string;
  runA: string;
  /** A scan of tenant A with a finding, evidence, a stage result and a report version. */
  scanA: string;
}

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
const SPEC = JSON.stringify({ instructions: "x", inputSchema: { type: "object" }, tools: ["scan_url"] });

const CASES: RlsTableCase<World>[] = [
  {
    table: "agents",
    ops: {
      select: async (trx: Trx, w: World) =>
        (await trx.selectFrom("agents").select("id").where("id", "=", w.agentA).execute()).length,
      insert: async (trx: Trx, w: World, actor: Actor) =>
        (
          await trx
            .insertInto("agents")
            .values({
              tenant_id: w.tenantA,
              name: `matrix ${randomUUID()}`,
              draft_spec: SPEC,
              created_by: userOf(w, actor),
            })
            .execute()
        ).length,
      update: async (trx: Trx, w: World, actor: Actor) =>
        changed(
          await trx
            .updateTable("agents")
            .set({ description: "changed", updated_by: userOf(w, actor) })
            .where("id", "=", w.agentA)
            .execute(),
        ),
      delete: async (trx: Trx, w: World) =>
        changed(await trx.deleteFrom("agents").where("id", "=", w.agentA).execute()),
    },
    allowed: { select: READERS, insert: WRITERS, update: WRITERS, delete: WRITERS },
  },
  {
    table: "agent_versions",
    ops: {
      select: async (trx: Trx, w: World) =>
        (await trx.selectFrom("agent_versions").select("id").where("agent_id", "=", w.agentA).execute())
          .length,
      insert: async (trx: Trx, w: World, actor: Actor) =>
        (
          await trx
            .insertInto("agent_versions")
            .values({
              tenant_id: w.tenantA,
              agent_id: w.agentA,
              version: 2,
              spec: SPEC,
              created_by: userOf(w, actor),
            })
            .execute()
        ).length,
      // Versions are immutable: no request role may change or remove one.
      update: async (trx: Trx, w: World) =>
        changed(
          await trx
            .updateTable("agent_versions")
            .set({ spec: SPEC })
            .where("agent_id", "=", w.agentA)
            .execute(),
        ),
      delete: async (trx: Trx, w: World) =>
        changed(await trx.deleteFrom("agent_versions").where("agent_id", "=", w.agentA).execute()),
    },
    allowed: { select: READERS, insert: WRITERS, update: NOBODY, delete: NOBODY },
  },
  {
    table: "agent_runs",
    ops: {
      select: async (trx: Trx, w: World) =>
        (await trx.selectFrom("agent_runs").select("id").where("id", "=", w.runA).execute()).length,
      insert: async (trx: Trx, w: World, actor: Actor) =>
        (
          await trx
            .insertInto("agent_runs")
            .values({
              tenant_id: w.tenantA,
              agent_id: w.agentA,
              agent_version: 1,
              created_by: userOf(w, actor),
            })
            .execute()
        ).length,
      // Asking to cancel is the one change a request makes to a run.
      update: async (trx: Trx, w: World) =>
        changed(
          await trx
            .updateTable("agent_runs")
            .set({ cancel_requested_at: new Date() })
            .where("id", "=", w.runA)
            .execute(),
        ),
      delete: async (trx: Trx, w: World) =>
        changed(await trx.deleteFrom("agent_runs").where("id", "=", w.runA).execute()),
    },
    allowed: { select: READERS, insert: WRITERS, update: WRITERS, delete: NOBODY },
  },
  {
    table: "agent_run_steps",
    ops: {
      select: async (trx: Trx, w: World) =>
        (await trx.selectFrom("agent_run_steps").select("id").where("run_id", "=", w.runA).execute()).length,
      insert: async (trx: Trx, w: World) =>
        (
          await trx
            .insertInto("agent_run_steps")
            .values({ tenant_id: w.tenantA, run_id: w.runA, seq: 2, kind: "tool_call", name: "scan_url" })
            .execute()
        ).length,
      update: async (trx: Trx, w: World) =>
        changed(
          await trx
            .updateTable("agent_run_steps")
            .set({ status: "approved" })
            .where("run_id", "=", w.runA)
            .execute(),
        ),
      delete: async (trx: Trx, w: World) =>
        changed(await trx.deleteFrom("agent_run_steps").where("run_id", "=", w.runA).execute()),
    },
    allowed: { select: READERS, insert: NOBODY, update: NOBODY, delete: NOBODY },
  },
];

let database: TestDatabase;
let world: World;

beforeAll(async () => {
  database = await createTestDatabase();
  const base = await createRlsWorld(database.db);
  const scanA = await withServiceTx(database.db, async (trx) => {
    const scan = await trx
      .insertInto("scans")
      .values({ tenant_id: base.tenantA, created_by: base.users.ownerA, target_url: "https://a.example/" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const ofScan = { scan_id: scan.id, tenant_id: base.tenantA };
    await trx.insertInto("evidence_items").values(evidenceRow(scan.id, base.tenantA)).execute();
    await trx
      .insertInto("findings")
      .values({ ...ofScan, kind: "technology", finding_key: "nginx", name: "Nginx" })
      .execute();
    await trx
      .insertInto("scan_stage_results")
      .values({ ...ofScan, stage: "crawl", output: "{}", duration_ms: 5 })
      .execute();
    const report = await trx
      .insertInto("reports")
      .values({ ...ofScan, status: "ready", latest_version: 1 })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("report_versions")
      .values({ ...ofScan, report_id: report.id, version: 1, content: "{}" })
      .execute();
    return scan.id;
  });
  const { agentId, runId } = base.agentRuns.runnerA;
  world = { ...base, agentA: agentId, runA: runId, scanA };
}, 120_000);

afterAll(async () => {
  await database.drop();
});

describeRlsMatrix("agents: RLS matrix", CASES, () => ({ db: database.db, world }));

describe("agents: RLS rules beyond the matrix", () => {
  const as = <T>(actor: Actor, fn: (trx: Trx) => Promise<T>) =>
    withRlsTx(database.db, world.claims[actor], fn);
  const refused = { code: "42501" };

  it("leaves a run's progress to the worker: a writer can't move it on or start it running", async () => {
    for (const set of [
      { status: "succeeded" as const, ended_at: new Date() },
      { input_tokens: 0 },
      { output: "{}" },
    ])
      await expect(
        as("ownerA", (trx) => trx.updateTable("agent_runs").set(set).where("id", "=", world.runA).execute()),
        JSON.stringify(set),
      ).rejects.toMatchObject(refused);
    await expect(
      as("ownerA", (trx) =>
        trx
          .insertInto("agent_runs")
          .values({ tenant_id: world.tenantA, agent_id: world.agentA, agent_version: 1, status: "running" })
          .execute(),
      ),
    ).rejects.toMatchObject(refused);
  });

  it("refuses a run or version of tenant A's agent filed under tenant B", async () => {
    await expect(
      as("ownerB", (trx) =>
        trx
          .insertInto("agent_runs")
          .values({ tenant_id: world.tenantB, agent_id: world.agentA, agent_version: 1 })
          .execute(),
      ),
    ).rejects.toMatchObject({ code: "23503" });
  });
});

describe("agents: agent_run events from requests match the run, the rest are the worker's", () => {
  const emit = (actor: Actor | "service", type: string, subject: string, tenant = world.tenantA) => {
    const call = (trx: Trx) =>
      sql`select private.emit_event(${type}, ${tenant}::uuid, null, ${subject}, '{}'::jsonb, 1)`.execute(trx);
    return actor === "service"
      ? withServiceTx(database.db, call)
      : withRlsTx(database.db, world.claims[actor], call);
  };
  const refused = { code: "42501" };

  it("lets writers emit agent_run.queued (run queued) and cancel_requested (cancel asked)", async () => {
    await expect(emit("memberA", "agent_run.queued", world.runA)).resolves.toBeDefined();
    await expect(emit("keyWriteA", "agent_run.queued", world.runA)).resolves.toBeDefined();
    // Not asked yet: the request would be a lie.
    await expect(emit("memberA", "agent_run.cancel_requested", world.runA)).rejects.toMatchObject(refused);
    await withServiceTx(database.db, (trx) =>
      trx
        .updateTable("agent_runs")
        .set({ cancel_requested_at: new Date() })
        .where("id", "=", world.runA)
        .execute(),
    );
    await expect(emit("memberA", "agent_run.cancel_requested", world.runA)).resolves.toBeDefined();
    await withServiceTx(database.db, (trx) =>
      trx.updateTable("agent_runs").set({ cancel_requested_at: null }).where("id", "=", world.runA).execute(),
    );
  });

  it("refuses every worker event, readers, other tenants and subjects that are not runs", async () => {
    for (const type of [
      "agent_run.started",
      "agent_run.step",
      "agent_run.waiting_approval",
      "agent_run.succeeded",
      "agent_run.failed",
      "agent_run.cancelled",
      "agent_run.budget_exceeded",
    ])
      await expect(emit("ownerA", type, world.runA), type).rejects.toMatchObject(refused);
    for (const actor of ["viewerA", "keyReadA", "ownerB", "anon"] as Actor[])
      await expect(emit(actor, "agent_run.queued", world.runA), actor).rejects.toMatchObject(refused);
    await expect(emit("ownerA", "agent_run.queued", "not-a-run-id")).rejects.toMatchObject(refused);
    await expect(emit("ownerA", "agent_run.queued", randomUUID())).rejects.toMatchObject(refused);
    // The run of tenant B is not one tenant A's owner may speak about, even naming tenant B.
    const ofB = world.agentRuns.runnerB;
    await expect(emit("ownerA", "agent_run.queued", ofB.runId)).rejects.toMatchObject(refused);
    await expect(emit("ownerA", "agent_run.queued", ofB.runId, world.tenantB)).rejects.toMatchObject(refused);
    // `_` is no wildcard: a look-alike type is not an agent run event, and other events still pass.
    await expect(emit("memberA", "agentxrun.succeeded", world.runA)).resolves.toBeDefined();
    await expect(emit("memberA", "scan.completed", world.runA)).rejects.toMatchObject(refused);
  });

  it("lets the worker (service role) write every agent_run event", async () => {
    for (const type of ["agent_run.started", "agent_run.step", "agent_run.succeeded"])
      await expect(emit("service", type, world.runA), type).resolves.toBeDefined();
  });
});

// ---------------------------------------------------------------- agent_runner (the tools' role)

type RunnerCase = RlsTableCase<World, string, Runner>;
const RUNNER_A: Runner[] = ["runnerA"];
const NO_RUNNER: Runner[] = [];
const affected = (result: { numAffectedRows?: bigint }) => Number(result.numAffectedRows ?? 0);

/**
 * Every operation on tenant A's rows of `table` (those where `column` is the world's `key`), in plain
 * SQL; a copy of a row for insert (refused before any constraint: the runner may insert nowhere here).
 */
function runnerCase(
  table: string,
  column: string,
  key: (w: World) => string,
  allowed: RunnerCase["allowed"],
): RunnerCase {
  const t = sql.table(`public.${table}`);
  const c = sql.ref(column);
  return {
    table,
    ops: {
      select: async (trx, w) =>
        (await sql`select 1 from ${t} where ${c} = ${key(w)}`.execute(trx)).rows.length,
      insert: async (trx, w) =>
        affected(await sql`insert into ${t} select * from ${t} where ${c} = ${key(w)}`.execute(trx)),
      update: async (trx, w) =>
        affected(await sql`update ${t} set ${c} = ${c} where ${c} = ${key(w)}`.execute(trx)),
      delete: async (trx, w) => affected(await sql`delete from ${t} where ${c} = ${key(w)}`.execute(trx)),
    },
    allowed,
  };
}
const readByTools = { select: RUNNER_A, insert: NO_RUNNER, update: NO_RUNNER, delete: NO_RUNNER };
const untouched = { select: NO_RUNNER, insert: NO_RUNNER, update: NO_RUNNER, delete: NO_RUNNER };

const RUNNER_CASES: RunnerCase[] = [
  {
    table: "scans",
    ops: {
      select: async (trx, w) =>
        (await trx.selectFrom("scans").select("id").where("id", "=", w.scanA).execute()).length,
      insert: async (trx, w) =>
        (
          await trx
            .insertInto("scans")
            .values({ tenant_id: w.tenantA, target_url: "https://runner.example/", created_by: null })
            .execute()
        ).length,
      update: async (trx, w) =>
        changed(
          await trx
            .updateTable("scans")
            .set({ cancel_requested_at: new Date() })
            .where("id", "=", w.scanA)
            .execute(),
        ),
      delete: async (trx, w) => changed(await trx.deleteFrom("scans").where("id", "=", w.scanA).execute()),
    },
    allowed: { select: RUNNER_A, insert: RUNNER_A, update: RUNNER_A, delete: NO_RUNNER },
  },
  runnerCase("findings", "scan_id", (w) => w.scanA, readByTools),
  runnerCase("evidence_items", "scan_id", (w) => w.scanA, readByTools),
  runnerCase("scan_stage_results", "scan_id", (w) => w.scanA, readByTools),
  runnerCase("reports", "scan_id", (w) => w.scanA, readByTools),
  runnerCase("report_versions", "scan_id", (w) => w.scanA, readByTools),
  // scan_url notes the scan it started on its own step; nothing else of a run is the tools'.
  {
    table: "agent_run_steps",
    ops: {
      select: async (trx, w) =>
        (await trx.selectFrom("agent_run_steps").select("id").where("run_id", "=", w.runA).execute()).length,
      insert: async (trx, w) =>
        (
          await trx
            .insertInto("agent_run_steps")
            .values({ tenant_id: w.tenantA, run_id: w.runA, seq: 2, kind: "tool_call", name: "scan_url" })
            .execute()
        ).length,
      update: async (trx, w) =>
        changed(
          await trx
            .updateTable("agent_run_steps")
            .set({ response: "{}" })
            .where("run_id", "=", w.runA)
            .execute(),
        ),
      delete: async (trx, w) =>
        changed(await trx.deleteFrom("agent_run_steps").where("run_id", "=", w.runA).execute()),
    },
    allowed: { select: RUNNER_A, insert: NO_RUNNER, update: RUNNER_A, delete: NO_RUNNER },
  },
  runnerCase("agent_runs", "id", (w) => w.runA, untouched),
  runnerCase("agents", "id", (w) => w.agentA, untouched),
  runnerCase("agent_versions", "agent_id", (w) => w.agentA, untouched),
  runnerCase("scan_pages", "tenant_id", (w) => w.tenantA, untouched),
  runnerCase("tenants", "id", (w) => w.tenantA, untouched),
  runnerCase("memberships", "tenant_id", (w) => w.tenantA, untouched),
  runnerCase("api_keys", "tenant_id", (w) => w.tenantA, untouched),
];

describeRlsMatrix(
  "agents: tools run as the tenant through RLS (agent_runner of tenant A and of tenant B on A's rows)",
  RUNNER_CASES,
  () => ({ db: database.db, world }),
  RLS_RUNNER_ACTORS,
);

describe("agents: tools run as the tenant through RLS", () => {
  const refused = { code: "42501" };

  it("agent_runner holds privileges on exactly the tables its tools read and write", async () => {
    const { rows: tables } = await sql<{ table: string; privilege: string }>`
      select table_name as table, privilege_type as privilege from information_schema.role_table_grants
       where grantee = 'agent_runner' order by 1, 2`.execute(database.db.kysely);
    expect(tables).toEqual([
      ...["agent_run_steps", "evidence_items", "findings", "report_versions", "reports"].map((table) => ({
        table,
        privilege: "SELECT",
      })),
      { table: "scan_stage_results", privilege: "SELECT" },
      { table: "scans", privilege: "INSERT" },
      { table: "scans", privilege: "SELECT" },
    ]);
    const { rows: columns } = await sql<{ column: string }>`
      select table_name || '.' || column_name as column from information_schema.column_privileges
       where grantee = 'agent_runner' and privilege_type = 'UPDATE' order by 1`.execute(database.db.kysely);
    expect(columns.map((row) => row.column)).toEqual([
      "agent_run_steps.response",
      "scans.cancel_requested_at",
      "scans.finished_at",
      "scans.status",
    ]);
  });

  it("PostgREST cannot switch to agent_runner for any JWT: no API role is a member of it", async () => {
    const { rows } = await sql<{ role: string; member: boolean }>`
      select r.rolname as role, pg_has_role(r.rolname, 'agent_runner', 'member') as member
        from pg_roles r
       where r.rolname in ('anon', 'authenticated', 'authenticator', 'service_role')`.execute(
      database.db.kysely,
    );
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) expect(row, row.role).toMatchObject({ member: false });
    // A login role set up as Supabase sets up PostgREST's authenticator (anon and authenticated
    // granted, noinherit) switches to authenticated, as PostgREST does, but never to agent_runner.
    const login = `tsiq_authenticator_${randomUUID().slice(0, 8)}`;
    await sql`${sql.raw(`create role ${login} login noinherit password 'matrix'`)}`.execute(
      database.db.kysely,
    );
    await sql`${sql.raw(`grant anon, authenticated to ${login}`)}`.execute(database.db.kysely);
    const url = new URL(database.url);
    url.username = login;
    url.password = "matrix";
    const asLogin = createDb(url.toString(), { max: 1 });
    try {
      await asLogin.kysely.transaction().execute((trx) => sql`set local role authenticated`.execute(trx));
      await expect(
        asLogin.kysely.transaction().execute(async (trx) => {
          await sql`set local role authenticated`.execute(trx);
          await sql`set local role agent_runner`.execute(trx);
        }),
      ).rejects.toMatchObject(refused);
    } finally {
      await asLogin.close();
      await sql`${sql.raw(`drop role ${login}`)}`.execute(database.db.kysely);
    }
  });

  it("a scope naming tenant A with a run of tenant B is no scope: nothing is seen or queued", async () => {
    const forged = { tenantId: world.tenantA, runId: world.agentRuns.runnerB.runId };
    expect(
      await withTenantAgentTx(database.db, forged, (trx) => trx.selectFrom("scans").select("id").execute()),
    ).toEqual([]);
    await expect(
      withTenantAgentTx(database.db, forged, (trx) =>
        sql`select private.queue_report(${world.scanA}::uuid)`.execute(trx),
      ),
    ).rejects.toMatchObject(refused);
  });

  it("the tools queue reports and emit scan events of their run's tenant only", async () => {
    const queueReport = async (trx: Trx, w: World) =>
      (await sql`select private.queue_report(${w.scanA}::uuid)`.execute(trx)).rows.length;
    expect(await runRlsCell(database.db, world, queueReport, "runnerA")).toBe("allowed");
    expect(await runRlsCell(database.db, world, queueReport, "runnerB")).toBe("denied");
    const emit = (actor: Runner, type: string, subject: string) =>
      asRlsActor(database.db, world, actor, (trx) =>
        sql`select private.emit_event(${type}, ${world.tenantA}::uuid, null, ${subject}, '{}'::jsonb, 1)`.execute(
          trx,
        ),
      );
    // The run's lifecycle and reports are the worker's; tenant B's runner speaks for no scan of A.
    await expect(emit("runnerA", "agent_run.succeeded", world.runA)).rejects.toMatchObject(refused);
    await expect(emit("runnerA", "report.ready", world.scanA)).rejects.toMatchObject(refused);
    await expect(emit("runnerB", "scan.cancel_requested", world.scanA)).rejects.toMatchObject(refused);
  });
});
