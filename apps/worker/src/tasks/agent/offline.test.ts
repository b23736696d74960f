import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { agentTemplate, type AgentSpecInput } from "@techscaniq/contracts/agents";
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
import { stepsOf } from "./store";
import {
  createPublishedAgent,
  decideApproval,
  eventually,
  requestCancel,
  runEventTypes,
  runReaches,
  triggerRun,
  type TestMember,
} from "../../testing/agent";
import { runAgentTool, ToolError, type ToolContext } from "./tools";
import { startWorker } from "../../worker";

let database: TestDatabase;
let worker: Awaited<ReturnType<typeof startWorker>>;
let fixtures: FixtureServer;
let sitesDir: string;
let member: TestMember;
let stranger: TestMember;

async function newMember(): Promise<TestMember> {
  const user = await createTestUser(database.db);
  const tenant = await createTestTenant(database.db, user.id);
  return { tenantId: tenant.id, userId: user.id };
}

/** Replaces `from` with `to` in every text file of a served site copy (a release of the site). */
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

beforeAll(async () => {
  database = await createTestDatabase();
  sitesDir = await mkdtemp(path.join(tmpdir(), "tsiq-agent-sites-"));
  await cp(SITES_DIR, sitesDir, { recursive: true });
  fixtures = await startFixtureServer({ sites: ["wordpress-like", "legacy-weak", "limits"], sitesDir });
  member = await newMember();
  stranger = await newMember();
  const env = loadWorkerEnv({
    DATABASE_URL: database.url,
    WORKER_HEALTH_PORT: "0",
    WORKER_CONCURRENCY: "3",
    WORKER_ID: `agent-offline-test-${process.pid}`,
    // Agents scan the 127.0.0.1 fixtures: the operator's switch.
    TECHSCANIQ_ALLOW_PRIVATE: "1",
  });
  worker = await startWorker(env, { logger: createLogger("silent", env.WORKER_ID) });
});

afterAll(async () => {
  await worker?.stop();
  const { closeReportCheckpointers } = await import("../report/index");
  await closeReportCheckpointers();
  await fixtures?.close();
  await database?.drop();
  await rm(sitesDir, { recursive: true, force: true });
});

/** Two runs of real scans with Chromium; on a loaded machine that takes minutes. */
const RUN_TIMEOUT_MS = 600_000;

describe("agents: offline runner", () => {
  it(
    "agents: a stack-watch run over two fixture sites succeeds with real scans, and a second run reports what changed",
    async () => {
      const agentId = await createPublishedAgent(database.db, member, agentTemplate("stack-watch")!.spec);
      const urls = [fixtures.url("wordpress-like"), fixtures.url("legacy-weak")];

      const started = performance.now();
      const first = await triggerRun(database.db, member, agentId, { urls });
      const firstRun = await runReaches(database.db, first, ["succeeded", "failed", "cancelled"]);
      const firstSeconds = (performance.now() - started) / 1000;
      expect(firstRun.error_message).toBeNull();
      expect(firstRun.status).toBe("succeeded");
      const firstSteps = await stepsOf(database.db, first);
      expect(firstSteps.map((step) => `${step.seq} ${step.kind} ${step.name} ${step.status}`)).toEqual([
        "1 tool_call scan_url ok",
        "2 tool_call scan_url ok",
        "3 tool_call compare_scans ok",
        "4 tool_call compare_scans ok",
      ]);
      const firstOutput = firstRun.output as {
        summary: string;
        results: { tool: string; output: { status?: string; changes?: { change: string }[] } }[];
      };
      expect(firstOutput.results.slice(0, 2).map((result) => result.output.status)).toEqual([
        "succeeded",
        "succeeded",
      ]);
      expect(firstOutput.results[2]!.output.changes!.map((change) => change.change)).toEqual(["first_scan"]);
      expect(firstOutput.summary).toContain("WordPress 6.4.2");
      // A layer the site does not show is named as inferred, not as detected.
      expect(firstOutput.summary).toContain("MySQL (inferred)");
      expect(firstRun.price_table_version).toMatch(/^prices-[0-9a-f]{12}$/);
      expect(firstRun.input_tokens + firstRun.output_tokens).toBe(0);
      const events = await runEventTypes(database.db, first);
      expect(events[0]).toBe("agent_run.queued");
      expect(events[1]).toBe("agent_run.started");
      expect(events.at(-1)).toBe("agent_run.succeeded");
      expect(events.filter((type) => type === "agent_run.step")).toHaveLength(8);

      // The site releases a new WordPress: the next run sees the version change, and nothing else.
      await editSite("wordpress-like", "6.4.2", "6.5.0");
      const second = await triggerRun(database.db, member, agentId, { urls });
      const secondRun = await runReaches(database.db, second, ["succeeded", "failed", "cancelled"]);
      expect(secondRun.status).toBe("succeeded");
      const secondOutput = secondRun.output as {
        summary: string;
        results: {
          tool: string;
          output: { changes?: { change: string; subject: string; detail: string }[] };
        }[];
      };
      const [wordpress, legacy] = secondOutput.results.filter((result) => result.tool === "compare_scans");
      expect(wordpress!.output.changes).toContainEqual({
        change: "version_changed",
        subject: "WordPress",
        detail: "6.4.2 → 6.5.0",
      });
      expect(legacy!.output.changes).toEqual([]);
      expect(secondOutput.summary).toContain("version_changed WordPress (6.4.2 → 6.5.0)");
      console.log(`stack-watch offline run over 2 fixture sites: ${firstSeconds.toFixed(1)} s wall time`);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "agents: a scan that fails says why in the tool output and the run's summary",
    async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
      const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
      await new Promise((resolve) => closed.close(resolve));
      const agentId = await createPublishedAgent(database.db, member, agentTemplate("stack-watch")!.spec);
      const runId = await triggerRun(database.db, member, agentId, { urls: [url] });
      const run = await runReaches(database.db, runId, ["succeeded", "failed", "cancelled"]);
      const output = run.output as { summary: string; results: { output: { error?: string | null } }[] };
      const reason = output.results[0]!.output.error;
      expect(reason).toMatch(/refused/i);
      expect(output.summary).toContain(`${url}: scan failed: ${reason}`);
    },
    RUN_TIMEOUT_MS,
  );

  it("agents: a tool input naming another tenant's scan id finds nothing", async () => {
    const scans = await database.db.kysely
      .selectFrom("scans")
      .select(["id", "target_url"])
      .where("tenant_id", "=", member.tenantId)
      .where("status", "=", "succeeded")
      .execute();
    expect(scans.length).toBeGreaterThanOrEqual(2);
    /** A run of a reading agent of the member's tenant (tools run as the run's tenant, through RLS). */
    const runOf = async (of: TestMember) => {
      const agentId = await createPublishedAgent(database.db, of, {
        instructions: "Read findings.",
        inputSchema: { type: "object" },
        tools: ["read_findings", "compare_scans", "get_report", "search_evidence"],
      });
      const runId = await triggerRun(database.db, of, agentId, {});
      const row = await database.db.kysely
        .selectFrom("agent_runs")
        .selectAll()
        .where("id", "=", runId)
        .executeTakeFirstOrThrow();
      const spec = (
        await database.db.kysely
          .selectFrom("agent_versions")
          .select("spec")
          .where("agent_id", "=", agentId)
          .executeTakeFirstOrThrow()
      ).spec;
      return { row, spec };
    };
    const run = await runOf(stranger);
    const context = (forRun: typeof run): ToolContext => ({
      db: database.db,
      run: forRun.row,
      spec: forRun.spec as ToolContext["spec"],
      seq: 1,
      saved: null,
      startedAt: new Date(),
      allowPrivate: "loopback",
      waitMs: 1000,
    });
    const theirs = scans[0]!.id;
    const notFound = `scan ${theirs} was not found in this tenant`;
    await expect(runAgentTool("read_findings", { scanId: theirs }, context(run))).rejects.toThrow(notFound);
    await expect(
      runAgentTool("compare_scans", { scanId: theirs, baseScanId: scans[1]!.id }, context(run)),
    ).rejects.toThrow(notFound);
    await expect(runAgentTool("get_report", { scanId: theirs }, context(run))).rejects.toThrow(notFound);
    expect(await runAgentTool("compare_scans", { url: scans[0]!.target_url }, context(run))).toMatchObject({
      output: { scanId: null, baseScanId: null },
    });
    expect(await runAgentTool("search_evidence", { query: "WordPress" }, context(run))).toMatchObject({
      output: { matches: [] },
    });
    // The owner's tenant reads the same scan and finds its evidence.
    const ownRun = await runOf(member);
    const own = await runAgentTool("read_findings", { scanId: theirs }, context(ownRun));
    expect((own.output as { findings: unknown[] }).findings.length).toBeGreaterThan(0);
    const found = await runAgentTool("search_evidence", { query: "WordPress" }, context(ownRun));
    expect((found.output as { matches: unknown[] }).matches.length).toBeGreaterThan(0);
    // Bad input is refused with the registry's message, before anything is read.
    await expect(runAgentTool("read_findings", { scanId: "nope" }, context(run))).rejects.toThrow(
      new ToolError("read_findings: scanId: scanId must be a scan id (uuid)"),
    );
  });

  it(
    "agents: approve autonomy stops before the action until a member decides; suggest drafts, act carries out",
    async () => {
      const spec = (autonomy: "suggest" | "approve" | "act"): AgentSpecInput => ({
        instructions: "Propose an issue.",
        inputSchema: { type: "object", properties: { title: { type: "string" } }, required: ["title"] },
        tools: ["propose_action"],
        outputs: { report: false, findings: false, actions: ["issue.create"] },
        autonomy,
        plan: [
          { tool: "propose_action", input: { action: "issue.create", title: "{{input.title}}", body: "b" } },
        ],
      });
      const approving = await createPublishedAgent(database.db, member, spec("approve"));
      const outcomes: Record<string, unknown> = {};
      for (const approve of [true, false]) {
        const runId = await triggerRun(database.db, member, approving, { title: `decide ${approve}` });
        await runReaches(database.db, runId, ["waiting_approval"]);
        const waiting = await stepsOf(database.db, runId);
        expect(waiting.map((step) => `${step.kind} ${step.status}`)).toEqual(["approval waiting"]);
        await decideApproval(database.db, member, runId, approve, "looked at it");
        const done = await runReaches(database.db, runId, ["succeeded", "failed", "cancelled"]);
        expect(done.status).toBe("succeeded");
        const steps = await stepsOf(database.db, runId);
        expect(steps.map((step) => `${step.kind} ${step.status}`)).toEqual([
          `approval ${approve ? "approved" : "rejected"}`,
          "tool_call ok",
        ]);
        expect(steps[0]!.decided_by).toBe(member.userId);
        outcomes[String(approve)] = (done.output as { actions: unknown[] }).actions;
        const events = await runEventTypes(database.db, runId);
        expect(events).toContain("agent_run.waiting_approval");
        expect(events.filter((type) => type === "agent_run.started")).toHaveLength(2);
      }
      expect(outcomes).toEqual({
        true: [{ action: "issue.create", title: "decide true", body: "b", state: "approved" }],
        false: [{ action: "issue.create", title: "decide false", body: "b", state: "rejected" }],
      });
      for (const [autonomy, state] of [
        ["suggest", "drafted"],
        ["act", "carried_out"],
      ] as const) {
        const agentId = await createPublishedAgent(database.db, member, spec(autonomy));
        const runId = await triggerRun(database.db, member, agentId, { title: autonomy });
        const done = await runReaches(database.db, runId, ["succeeded", "failed", "waiting_approval"]);
        expect((done.output as { actions: { state: string }[] }).actions.map((a) => a.state)).toEqual([
          state,
        ]);
      }
    },
    RUN_TIMEOUT_MS,
  );

  it(
    "agents: cancel stops a run waiting on its scan, cancels that scan, and starts no step afterwards",
    async () => {
      const agentId = await createPublishedAgent(database.db, member, agentTemplate("stack-watch")!.spec);
      // The limits site holds a page for 20 s, so the scan is still running when the cancel comes.
      const runId = await triggerRun(database.db, member, agentId, {
        urls: [fixtures.url("limits"), fixtures.url("legacy-weak")],
      });
      const scanStep = await eventually(async () => {
        const [step] = await stepsOf(database.db, runId);
        return step?.status === "running" && (step.response as { scanId?: string } | null)?.scanId
          ? step
          : null;
      }, "the first scan_url step to start its scan");
      await requestCancel(database.db, member, runId);
      const done = await runReaches(database.db, runId, ["succeeded", "failed", "cancelled"]);
      expect(done.status).toBe("cancelled");
      const steps = await stepsOf(database.db, runId);
      expect(steps.map((step) => `${step.seq} ${step.name} ${step.status}`)).toEqual([
        "1 scan_url cancelled",
      ]);
      const scanId = (scanStep.response as { scanId: string }).scanId;
      const scan = await database.db.kysely
        .selectFrom("scans")
        .select(["cancel_requested_at", "status"])
        .where("id", "=", scanId)
        .executeTakeFirstOrThrow();
      expect(scan.cancel_requested_at).not.toBeNull();
      expect((await runEventTypes(database.db, runId)).at(-1)).toBe("agent_run.cancelled");
    },
    RUN_TIMEOUT_MS,
  );
});
