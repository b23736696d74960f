import { randomUUID } from "node:crypto";
import { withServiceTx, withTenantAgentTx } from "@techscaniq/db";
import {
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublishedAgent, runEventTypes, triggerRun, type TestMember } from "../../testing/agent";
import type { AgentRunRow } from "./store";
import { cancelAgentScan, PipelineWait, runAgentTool, type ToolContext } from "./tools";

/**
 * The tools run as the run's tenant through RLS (role agent_runner, scoped to the run): another
 * tenant's scan id finds nothing because Postgres hides the rows, not because a query filters them.
 */

let database: TestDatabase;
let owner: TestMember;
let stranger: TestMember;
let scanOfOwner: string;

async function newMember(): Promise<TestMember> {
  const user = await createTestUser(database.db);
  return { tenantId: (await createTestTenant(database.db, user.id)).id, userId: user.id };
}

/** A run of a new agent of the member's tenant that may use every tool, with its first step started. */
async function runOf(member: TestMember): Promise<ToolContext> {
  const agentId = await createPublishedAgent(database.db, member, {
    instructions: "Read what the tenant has.",
    inputSchema: { type: "object" },
    tools: ["scan_url", "read_findings", "compare_scans", "get_report", "search_evidence"],
  });
  const runId = await triggerRun(database.db, member, agentId, {});
  const { run, spec } = await withServiceTx(database.db, async (trx) => {
    await trx
      .insertInto("agent_run_steps")
      .values({ tenant_id: member.tenantId, run_id: runId, seq: 1, kind: "tool_call", name: "scan_url" })
      .execute();
    return {
      run: (await trx
        .selectFrom("agent_runs")
        .selectAll()
        .where("id", "=", runId)
        .executeTakeFirstOrThrow()) as AgentRunRow,
      spec: (
        await trx
          .selectFrom("agent_versions")
          .select("spec")
          .where("agent_id", "=", agentId)
          .executeTakeFirstOrThrow()
      ).spec as ToolContext["spec"],
    };
  });
  return {
    db: database.db,
    run,
    spec,
    seq: 1,
    saved: null,
    startedAt: new Date(),
    allowPrivate: "loopback",
    waitMs: 60_000,
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  owner = await newMember();
  stranger = await newMember();
  scanOfOwner = await withServiceTx(database.db, async (trx) => {
    const scan = await trx
      .insertInto("scans")
      .values({
        tenant_id: owner.tenantId,
        created_by: owner.userId,
        target_url: "https://owner.example/",
        status: "succeeded",
        finished_at: new Date(),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const ofScan = { scan_id: scan.id, tenant_id: owner.tenantId };
    const evidenceId = `ev_${randomUUID().replaceAll("-", "").slice(0, 24)}`;
    await trx
      .insertInto("evidence_items")
      .values({
        ...ofScan,
        evidence_id: evidenceId,
        kind: "html",
        collector: "fingerprint",
        url: "https://owner.example/",
        locator: "meta[name=generator]",
        snippet: "WordPress 6.4",
        content_hash: "d".repeat(64),
        observed_at: new Date(),
        confidence: 100,
      })
      .execute();
    await trx
      .insertInto("findings")
      .values({
        ...ofScan,
        kind: "technology",
        finding_key: "wordpress",
        name: "WordPress",
        version: "6.4",
        evidence_ids: [evidenceId],
      })
      .execute();
    return scan.id;
  });
}, 120_000);

afterAll(async () => {
  await database?.drop();
});

describe("agents: tools run as the tenant through RLS", { timeout: 60_000 }, () => {
  it("a tool given another tenant's scan id finds nothing; the same tools read their own tenant's", async () => {
    const theirs = await runOf(stranger);
    const notFound = `scan ${scanOfOwner} was not found in this tenant`;
    await expect(runAgentTool("read_findings", { scanId: scanOfOwner }, theirs)).rejects.toThrow(notFound);
    await expect(runAgentTool("get_report", { scanId: scanOfOwner }, theirs)).rejects.toThrow(notFound);
    await expect(
      runAgentTool("compare_scans", { scanId: scanOfOwner, baseScanId: scanOfOwner }, theirs),
    ).rejects.toThrow(notFound);
    expect(await runAgentTool("search_evidence", { query: "WordPress" }, theirs)).toMatchObject({
      output: { matches: [] },
    });
    expect(await runAgentTool("compare_scans", { url: "https://owner.example/" }, theirs)).toMatchObject({
      output: { scanId: null },
    });

    const own = await runOf(owner);
    expect(await runAgentTool("read_findings", { scanId: scanOfOwner }, own)).toMatchObject({
      output: { findings: [{ key: "wordpress", version: "6.4" }] },
    });
    expect(await runAgentTool("search_evidence", { query: "WordPress" }, own)).toMatchObject({
      output: { matches: [{ scanId: scanOfOwner, excerpt: "WordPress 6.4" }] },
    });
  });

  it("RLS alone hides the rows: the tools' own transaction, asked with no tenant filter, sees none", async () => {
    const theirs = await runOf(stranger);
    const scope = { tenantId: stranger.tenantId, runId: theirs.run.id };
    const seen = await withTenantAgentTx(database.db, scope, async (trx) => ({
      scans: await trx.selectFrom("scans").select("id").execute(),
      findings: await trx.selectFrom("findings").select("scan_id").execute(),
      evidence: await trx.selectFrom("evidence_items").select("scan_id").execute(),
    }));
    expect(seen).toEqual({ scans: [], findings: [], evidence: [] });
    // The rows are there for the service role; and for the owner's run, through the same policies.
    const all = await database.db.kysely.selectFrom("scans").select("id").execute();
    expect(all.map((row) => row.id)).toContain(scanOfOwner);
    const own = await runOf(owner);
    const ownScans = await withTenantAgentTx(
      database.db,
      { tenantId: owner.tenantId, runId: own.run.id },
      (trx) => trx.selectFrom("scans").select("id").execute(),
    );
    expect(ownScans.map((row) => row.id)).toEqual([scanOfOwner]);
    // A run lent to another tenant's scope is no scope at all.
    const lent = await withTenantAgentTx(
      database.db,
      { tenantId: owner.tenantId, runId: theirs.run.id },
      (trx) => trx.selectFrom("scans").select("id").execute(),
    );
    expect(lent).toEqual([]);
  });

  it("scan_url starts a scan in the run's tenant as agent_runner, and a cancel stops it", async () => {
    const own = await runOf(owner);
    await expect(runAgentTool("scan_url", { url: "https://new.example/" }, own)).rejects.toBeInstanceOf(
      PipelineWait,
    );
    const step = await database.db.kysely
      .selectFrom("agent_run_steps")
      .select("response")
      .where("run_id", "=", own.run.id)
      .where("seq", "=", 1)
      .executeTakeFirstOrThrow();
    const { scanId } = step.response as { scanId: string };
    const scan = await database.db.kysely
      .selectFrom("scans")
      .selectAll()
      .where("id", "=", scanId)
      .executeTakeFirstOrThrow();
    expect(scan).toMatchObject({
      tenant_id: owner.tenantId,
      created_by: owner.userId,
      target_url: "https://new.example/",
      status: "queued",
    });
    await cancelAgentScan(database.db, own.run, scanId);
    // Another tenant's run cannot cancel it.
    const theirs = await runOf(stranger);
    const other = await database.db.kysely
      .insertInto("scans")
      .values({ tenant_id: owner.tenantId, target_url: "https://other.example/" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await cancelAgentScan(database.db, theirs.run, other.id);
    const statuses = await database.db.kysely
      .selectFrom("scans")
      .select(["id", "status"])
      .where("id", "in", [scanId, other.id])
      .execute();
    expect(Object.fromEntries(statuses.map((row) => [row.id, row.status]))).toEqual({
      [scanId]: "cancelled",
      [other.id]: "queued",
    });
    expect(await runEventTypes(database.db, scanId)).toEqual(["scan.queued", "scan.cancelled"]);
  });
});
