import { hostRefusalWithoutDns, type AllowPrivate } from "@techscaniq/contracts/address";
import {
  AGENT_TOOLS,
  type AgentSpec,
  type AgentToolInput,
  type AgentToolName,
  type AgentToolOutput,
} from "@techscaniq/contracts/agents";
import { diffScans, storedFindingFromRow, type ScanDiff } from "@techscaniq/contracts";
import { ReportContent } from "@techscaniq/contracts/report";
import { detailsAs, FINDING_SEVERITIES, isFinishedScan, TechnologyDetails } from "@techscaniq/contracts/scan";
import {
  type ActionDeliveryPayload,
  agentActionKey,
  catalogAction,
  INTEGRATION_DELIVER_TASK,
} from "@techscaniq/contracts/integrations";
import { emitEvent, sql, withTenantAgentTx, type Database, type Db, type Transaction } from "@techscaniq/db";
import { z } from "zod";
import { loadScanInput } from "../report/generate";
import { LIGHT_SCAN_OPTIONS, queueWorkerScan } from "../scan/queue";
import type { AgentRunRow } from "./store";

/**
 * The worker's implementations of the agent tool registry (contracts). Tools run as the tenant
 * through RLS: every read and write is in a `withTenantAgentTx` transaction (role agent_runner,
 * scoped to the run and its tenant), so a scan id of another tenant finds nothing because Postgres
 * hides it, not because a query remembered to filter. The run's own bookkeeping (its status, steps,
 * checkpoints, usage) stays with the worker's service role in run.ts and store.ts.
 */

/** A failure the agent is told about (bad input, a scan of another tenant, an undeclared action). */
export class ToolError extends Error {
  override name = "ToolError";
}

export interface ToolContext {
  db: Db;
  run: AgentRunRow;
  spec: AgentSpec;
  /** The step's position in the run. */
  seq: number;
  /** What an interrupted attempt of this step saved (the scan it started), else null. */
  saved: unknown;
  allowPrivate: AllowPrivate;
  /** When the step started (a step that waits for the pipeline runs again until it is done). */
  startedAt: Date;
  /** How long scan_url and get_report wait for the pipeline before giving up. */
  waitMs: number;
  /** For propose_action under `approve`: the member's decision, read from the approval step. */
  decision?: "approved" | "rejected";
}

type ToolImplementation<Name extends AgentToolName> = (
  input: AgentToolInput<Name>,
  context: ToolContext,
) => Promise<AgentToolOutput<Name>>;

/** Pages, renders and depth of a scan an agent starts: a watch, not a full due-diligence crawl. */

/**
 * The pipeline (a scan, a report) has not finished yet. The run's job ends and comes back shortly
 * (its worker slot is free meanwhile, so the scan it waits for can run); the step continues then.
 */
export class PipelineWait extends Error {
  override name = "PipelineWait";
}

/** `check`'s value when ready; otherwise a PipelineWait, or a ToolError once the step waited `waitMs`. */
async function waitFor<T>(context: ToolContext, what: string, check: () => Promise<T | null>): Promise<T> {
  const value = await check();
  if (value !== null) return value;
  if (Date.now() - context.startedAt.getTime() > context.waitMs)
    throw new ToolError(`${what} did not finish within ${context.waitMs / 1000} s`);
  throw new PipelineWait(`waiting for ${what}`);
}

/** A transaction as the run's tenant (agent_runner, through RLS). */
function asTenant<T>(
  db: Db,
  run: { id: string; tenant_id: string },
  fn: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return withTenantAgentTx(db, { tenantId: run.tenant_id, runId: run.id }, fn);
}

async function tenantScan(context: ToolContext, scanId: string) {
  const scan = await asTenant(context.db, context.run, (trx) =>
    trx
      .selectFrom("scans")
      .select(["id", "target_url", "status", "error_message"])
      .where("id", "=", scanId)
      .executeTakeFirst(),
  );
  if (!scan) throw new ToolError(`scan ${scanId} was not found in this tenant`);
  return scan;
}

async function scanSummary(
  context: ToolContext,
  scan: { id: string; target_url: string; status: string; error_message: string | null },
  filter: { kind?: string; minSeverity?: string } = {},
): Promise<AgentToolOutput<"read_findings">> {
  const rank = (severity: string | null) => FINDING_SEVERITIES.indexOf(severity as never);
  const rows = await asTenant(context.db, context.run, (trx) =>
    trx
      .selectFrom("findings")
      .selectAll()
      .where("scan_id", "=", scan.id)
      .$if(filter.kind !== undefined, (query) => query.where("kind", "=", filter.kind as never))
      .orderBy("kind")
      .orderBy("finding_key")
      .execute(),
  );
  return {
    scanId: scan.id,
    url: scan.target_url,
    status: scan.status,
    error: scan.error_message,
    findings: rows
      .map(storedFindingFromRow)
      .filter((finding) => !filter.minSeverity || rank(finding.severity) >= rank(filter.minSeverity))
      .map((finding) => ({
        kind: finding.kind,
        key: finding.key,
        name: finding.name,
        version: finding.version,
        severity: finding.severity,
        evidenceIds: finding.evidenceIds,
        ...(finding.kind === "technology" && detailsAs(TechnologyDetails, finding.details)?.inferred
          ? { inferred: true as const }
          : {}),
      })),
  };
}

/** Asks a scan that an agent started, and no longer waits for, to stop (as the API's cancel does). */
export async function cancelAgentScan(
  db: Db,
  run: { id: string; tenant_id: string },
  scanId: string,
): Promise<void> {
  await asTenant(db, run, async (tx) => {
    const scan = await tx
      .selectFrom("scans")
      .selectAll()
      .where("id", "=", scanId)
      .forUpdate()
      .executeTakeFirst();
    if (!scan || isFinishedScan(scan.status)) return;
    const queued = scan.status === "queued";
    const now = new Date();
    const updated = await tx
      .updateTable("scans")
      .set(
        queued
          ? { status: "cancelled", cancel_requested_at: now, finished_at: now }
          : { cancel_requested_at: now },
      )
      .where("id", "=", scanId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await emitEvent(tx, {
      type: queued ? "scan.cancelled" : "scan.cancel_requested",
      tenantId: run.tenant_id,
      userId: null,
      subject: scanId,
      data: { scanId, status: updated.status, stage: updated.stage, progress: updated.progress },
    });
  });
}

/** A URL as the API stores a scan's target (parsed, no fragment), so the same site is the same URL. */
function targetUrl(url: string): string {
  const parsed = new URL(url);
  parsed.hash = "";
  return parsed.toString();
}

const scanUrl: ToolImplementation<"scan_url"> = async (input, context) => {
  const url = targetUrl(input.url);
  const refusal = hostRefusalWithoutDns(new URL(url).hostname, context.allowPrivate);
  if (refusal) throw new ToolError(`cannot scan ${url}: ${refusal}`);
  const saved = z.object({ scanId: z.uuid() }).safeParse(context.saved);
  let scanId = saved.success ? saved.data.scanId : null;
  if (!scanId) {
    const { tenant_id: tenantId, created_by: createdBy } = context.run;
    scanId = await asTenant(context.db, context.run, async (tx) => {
      const scan = await queueWorkerScan(tx, { tenantId, createdBy, url, options: LIGHT_SCAN_OPTIONS });
      await tx
        .updateTable("agent_run_steps")
        .set({ response: JSON.stringify({ scanId: scan.id }) })
        .where("run_id", "=", context.run.id)
        .where("seq", "=", context.seq)
        .execute();
      return scan.id;
    });
  }
  const id = scanId;
  try {
    const scan = await waitFor(context, `the scan of ${url}`, async () => {
      const row = await tenantScan(context, id);
      return isFinishedScan(row.status) ? row : null;
    });
    return await scanSummary(context, scan);
  } catch (error) {
    // The wait ran out: the scan it started stops too (a cancelled run stops it as it ends).
    if (error instanceof ToolError) await cancelAgentScan(context.db, context.run, id);
    throw error;
  }
};

function diffChanges(diff: ScanDiff): AgentToolOutput<"compare_scans">["changes"] {
  const tech = diff.technologies;
  const vulnerability = (v: ScanDiff["vulnerabilities"]["new"][number]) => ({
    subject: `${v.library} ${v.version}`,
    detail: `${v.severity}${v.identifiers.length ? ` (${v.identifiers.join(", ")})` : ""}`,
  });
  return [
    ...tech.added.map((t) => ({
      change: "technology_added",
      subject: t.name,
      detail: t.version ?? "no version",
    })),
    ...tech.removed.map((t) => ({
      change: "technology_removed",
      subject: t.name,
      detail: t.version ?? "no version",
    })),
    ...tech.versionChanged.map((t) => ({
      change: "version_changed",
      subject: t.name,
      detail: `${t.from ?? "unknown"} → ${t.to ?? "unknown"}`,
    })),
    ...(diff.headerGrade.changed
      ? [
          {
            change: "header_grade_changed",
            subject: "HTTP security headers",
            detail: `${diff.headerGrade.before ?? "none"} → ${diff.headerGrade.after ?? "none"}`,
          },
        ]
      : []),
    ...diff.vulnerabilities.new.map((v) => ({ change: "vulnerability_new", ...vulnerability(v) })),
    ...diff.vulnerabilities.fixed.map((v) => ({ change: "vulnerability_fixed", ...vulnerability(v) })),
    ...diff.thirdParties.added.map((p) => ({
      change: "third_party_added",
      subject: p.host,
      detail: p.owner,
    })),
    ...diff.thirdParties.removed.map((p) => ({
      change: "third_party_removed",
      subject: p.host,
      detail: p.owner,
    })),
  ];
}

const compareScans: ToolImplementation<"compare_scans"> = async (input, context) => {
  const tenantId = context.run.tenant_id;
  const load = (scanId: string) =>
    asTenant(context.db, context.run, (trx) => loadScanInput({ kysely: trx }, tenantId, scanId));
  let pair: [string, string | null];
  if ("url" in input) {
    const latest = await asTenant(context.db, context.run, (trx) =>
      trx
        .selectFrom("scans")
        .select("id")
        .where("target_url", "=", targetUrl(input.url))
        .where("status", "=", "succeeded")
        .orderBy("finished_at", "desc")
        .limit(2)
        .execute(),
    );
    if (latest.length === 0)
      return {
        scanId: null,
        baseScanId: null,
        changes: [{ change: "no_scan", subject: input.url, detail: "no completed scan of this URL yet" }],
      };
    pair = [latest[0]!.id, latest[1]?.id ?? null];
  } else pair = [input.scanId, input.baseScanId];
  const [scanId, baseScanId] = pair;
  const after = await load(scanId);
  if (!after) throw new ToolError(`scan ${scanId} was not found in this tenant`);
  if (!baseScanId)
    return {
      scanId,
      baseScanId: null,
      changes: [
        {
          change: "first_scan",
          subject: after.scan.requestedUrl,
          detail: "no earlier completed scan to compare with",
        },
      ],
    };
  const before = await load(baseScanId);
  if (!before) throw new ToolError(`scan ${baseScanId} was not found in this tenant`);
  const diff = diffScans({ scanId: baseScanId, scan: before.scan }, { scanId, scan: after.scan });
  return { scanId, baseScanId, changes: diffChanges(diff) };
};

const getReport: ToolImplementation<"get_report"> = async ({ scanId }, context) => {
  const scan = await tenantScan(context, scanId);
  if (scan.status !== "succeeded")
    throw new ToolError(`scan ${scanId} is ${scan.status}; a report needs a scan that succeeded`);
  await asTenant(context.db, context.run, async (trx) => {
    const report = await trx
      .selectFrom("reports")
      .select(["id", "status", "latest_version"])
      .where("scan_id", "=", scanId)
      .executeTakeFirst();
    if (!report || (report.latest_version === 0 && report.status === "failed"))
      await sql`select private.queue_report(${scanId}::uuid)`.execute(trx);
  });
  const ready = await waitFor(context, `the report of scan ${scanId}`, async () => {
    const row = await asTenant(context.db, context.run, (trx) =>
      trx
        .selectFrom("reports as r")
        .innerJoin("report_versions as v", (join) =>
          join.onRef("v.report_id", "=", "r.id").onRef("v.version", "=", "r.latest_version"),
        )
        .select(["r.id", "r.latest_version", "v.content"])
        .where("r.scan_id", "=", scanId)
        .executeTakeFirst(),
    );
    if (row) return row;
    const failed = await asTenant(context.db, context.run, (trx) =>
      trx
        .selectFrom("reports")
        .select(["status", "error_message"])
        .where("scan_id", "=", scanId)
        .executeTakeFirst(),
    );
    if (failed?.status === "failed")
      throw new ToolError(`the report failed: ${failed.error_message ?? "unknown"}`);
    return null;
  });
  const content = ReportContent.parse(ready.content);
  return {
    reportId: ready.id,
    version: ready.latest_version,
    sections: content.sections.map((section) => ({
      id: section.id,
      title: section.title,
      claims: content.claims.filter((claim) => claim.section === section.id).map((claim) => claim.text),
    })),
  };
};

const searchEvidence: ToolImplementation<"search_evidence"> = async ({ query, limit }, context) => {
  const pattern = `%${query.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
  const rows = await asTenant(context.db, context.run, (trx) =>
    trx
      .selectFrom("evidence_items")
      .select(["evidence_id", "scan_id", "kind", "snippet"])
      .where((eb) =>
        eb.or([
          eb("snippet", "ilike", pattern),
          eb("url", "ilike", pattern),
          eb("locator", "ilike", pattern),
        ]),
      )
      .orderBy("observed_at", "desc")
      .limit(limit)
      .execute(),
  );
  return {
    matches: rows.map((row) => ({
      evidenceId: row.evidence_id,
      scanId: row.scan_id,
      kind: row.kind,
      excerpt: row.snippet.slice(0, 500),
    })),
  };
};

/**
 * The tenant's connection an integration action goes through: the one named, or its only one. Read
 * as the worker (agent_runner has no grant on connections or the job queue), so the tenant is named.
 */
async function actionConnection(context: ToolContext, provider: string, name: string | undefined) {
  const connections = await context.db.kysely
    .selectFrom("integration_connections")
    .select(["id", "name"])
    .where("tenant_id", "=", context.run.tenant_id)
    .where("provider", "=", provider as never)
    .orderBy("name")
    .execute();
  const chosen = name ? connections.filter((c) => c.name === name) : connections;
  if (chosen.length === 1) return chosen[0]!;
  if (connections.length === 0)
    throw new ToolError(`this workspace has no ${provider} connection; an admin adds one under Integrations`);
  throw new ToolError(
    name
      ? `no ${provider} connection is named ${JSON.stringify(name)} (${connections.map((c) => c.name).join(", ")})`
      : `name the connection: this workspace has several ${provider} connections (${connections.map((c) => c.name).join(", ")})`,
  );
}

/**
 * Queues an integration action's delivery under the step's job key (action:<run>:<seq>): a retried
 * step finds the job still queued, or its delivery already sent, and never sends twice.
 */
async function queueAction(
  context: ToolContext,
  input: AgentToolInput<"propose_action">,
  target: { provider: string; action: string },
): Promise<string> {
  const connection = await actionConnection(context, target.provider, input.connection);
  const idempotencyKey = agentActionKey(context.run.id, context.seq);
  const payload: z.input<typeof ActionDeliveryPayload> = {
    kind: "action",
    connectionId: connection.id,
    action: target.action,
    input: { title: input.title, body: input.body, ...(input.severity ? { severity: input.severity } : {}) },
    idempotencyKey,
    agentRunId: context.run.id,
    agentStepSeq: context.seq,
  };
  await sql`select graphile_worker.add_job(
      identifier := ${INTEGRATION_DELIVER_TASK}, payload := ${JSON.stringify(payload)}::json,
      max_attempts := 3, job_key := ${idempotencyKey}, job_key_mode := 'preserve_run_at')`.execute(
    context.db.kysely,
  );
  return connection.name;
}

/**
 * Records the proposal. An action the integration catalog offers (e.g. `webhook.post`) is queued for
 * delivery through the tenant's connection under `act`, or once approved under `approve`; other
 * declared actions are only recorded.
 */
const proposeAction: ToolImplementation<"propose_action"> = async (input, context) => {
  const declared = context.spec.outputs.actions;
  if (!declared.includes(input.action))
    throw new ToolError(
      `action ${input.action} is not one this agent declares (${declared.join(", ") || "none"})`,
    );
  const autonomy = context.spec.autonomy;
  if (autonomy === "suggest")
    return { action: input.action, state: "drafted", detail: "drafted for a person to review" };
  if (autonomy === "approve" && !context.decision)
    throw new Error("propose_action under approve autonomy needs a decision");
  if (context.decision === "rejected")
    return { action: input.action, state: "rejected", detail: "rejected by a member" };
  const integration = catalogAction(input.action);
  if (integration) {
    const connection = await queueAction(context, input, integration);
    return {
      action: input.action,
      state: "queued",
      detail: `${context.decision ? "approved by a member; " : ""}queued for delivery through ${connection}`,
    };
  }
  if (autonomy === "act")
    return { action: input.action, state: "carried_out", detail: "recorded as carried out" };
  return { action: input.action, state: "approved", detail: "approved by a member" };
};

export const AGENT_TOOL_IMPLEMENTATIONS = {
  scan_url: scanUrl,
  read_findings: async ({ scanId, kind, minSeverity }, context) =>
    scanSummary(context, await tenantScan(context, scanId), { kind, minSeverity }),
  compare_scans: compareScans,
  get_report: getReport,
  search_evidence: searchEvidence,
  propose_action: proposeAction,
} satisfies { [Name in AgentToolName]: ToolImplementation<Name> };

/** Input parsed with the registry's schema (a ToolError naming each problem), output checked by it too. */
export async function runAgentTool(
  name: AgentToolName,
  rawInput: unknown,
  context: ToolContext,
): Promise<{ input: unknown; output: unknown }> {
  const tool = AGENT_TOOLS[name];
  const parsed = tool.input.safeParse(rawInput);
  if (!parsed.success)
    throw new ToolError(
      `${name}: ${parsed.error.issues
        .map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`)
        .join("; ")}`,
    );
  const implementation = AGENT_TOOL_IMPLEMENTATIONS[name] as ToolImplementation<AgentToolName>;
  const output = await implementation(parsed.data as never, context);
  return { input: parsed.data, output: tool.output.parse(output) };
}
