import {
  generateReport,
  postgresCheckpointer,
  ReportContent,
  type AiConfig,
  type ProviderConfig,
  type ProviderFetch,
  type ScanInput,
  type UsageRecord,
} from "@techscaniq/ai";
import {
  buildReportDocument,
  diffScans,
  renderHtml,
  renderJson,
  renderMarkdown,
  REPORT_CONTENT_TYPES,
  REPORT_FORMATS,
  reportExportPath,
  scanInputFromStored,
  type ReportDocument,
  type ReportFormat,
  type ScanDiff,
  storedEvidenceFromRow,
  storedFindingFromRow,
} from "@techscaniq/contracts";
import { renderPdf } from "@techscaniq/ai/render/pdf";
import { createDb, emitEvent, sql, withServiceTx, type Db } from "@techscaniq/db";
import type { ObjectStorage } from "@techscaniq/db/storage";
import type { TenantAiLoader } from "./tenant-ai";

export interface ReportTaskSettings {
  db: Db;
  storage: ObjectStorage;
  /** The database holding LangGraph's checkpoints (schema `langgraph`): a crashed report resumes from its last step. */
  connectionString: string;
  aiConfig: AiConfig;
  /** Each tenant's own providers, keys and routes on top of aiConfig; without it every tenant uses aiConfig as is. */
  tenantAi?: TenantAiLoader;
  /** The SSRF-safe fetch each provider's SDK sends through (providerFetchFor). */
  providerFetch: (provider: ProviderConfig) => ProviderFetch;
  /** Chromium for the PDF export (default: the scanner's choice). */
  chromiumPath?: string;
}

export interface ReportRequest {
  scanId: string;
  reportId?: string | undefined;
}

export type ReportOutcome =
  | { kind: "created"; reportId: string; version: number }
  | { kind: "up-to-date"; reportId: string; version: number }
  | { kind: "gone" };

/**
 * A stored scan of one tenant: the report's input, and the parent scan's for the diff. Read as the
 * service role (reports) or in an agent tool's transaction (`{ kysely: trx }`, through RLS). The
 * service role bypasses RLS, so every read names the tenant: a reference that points at another
 * tenant's scan (refused by the composite foreign keys) still reads nothing.
 */
export async function loadScanInput(
  db: Pick<Db, "kysely">,
  tenantId: string,
  scanId: string,
): Promise<{ scan: ScanInput; thesis: string | null; parentScanId: string | null; status: string } | null> {
  const scan = await db.kysely
    .selectFrom("scans")
    .select(["target_url", "thesis", "parent_scan_id", "status"])
    .where("tenant_id", "=", tenantId)
    .where("id", "=", scanId)
    .executeTakeFirst();
  if (!scan) return null;
  const ofScan = { tenant_id: tenantId, scan_id: scanId } as const;
  const [findings, evidence, security] = await Promise.all([
    db.kysely
      .selectFrom("findings")
      .selectAll()
      .where((eb) => eb.and(ofScan))
      .orderBy("kind")
      .orderBy("finding_key")
      .execute(),
    db.kysely
      .selectFrom("evidence_items")
      .selectAll()
      .where((eb) => eb.and(ofScan))
      .orderBy("evidence_id")
      .execute(),
    db.kysely
      .selectFrom("scan_stage_results")
      .select("output")
      .where((eb) => eb.and({ ...ofScan, stage: "security" }))
      .executeTakeFirst(),
  ]);
  return {
    thesis: scan.thesis,
    parentScanId: scan.parent_scan_id,
    status: scan.status,
    scan: scanInputFromStored({
      targetUrl: scan.target_url,
      findings: findings.map(storedFindingFromRow),
      evidence: evidence.map(storedEvidenceFromRow),
      securityCheckpoint: security?.output ?? null,
    }),
  };
}

/** What changed since the parent scan, when this scan re-scans one that succeeded. */
async function parentDiff(
  db: Db,
  tenantId: string,
  scanId: string,
  scan: ScanInput,
  parentScanId: string | null,
): Promise<ScanDiff | null> {
  if (!parentScanId) return null;
  const parent = await loadScanInput(db, tenantId, parentScanId);
  if (!parent || parent.status !== "succeeded") return null;
  return diffScans({ scanId: parentScanId, scan: parent.scan }, { scanId, scan });
}

async function storeExports(
  settings: ReportTaskSettings,
  tenantId: string,
  document: ReportDocument,
  signal?: AbortSignal,
): Promise<void> {
  const html = renderHtml(document);
  const bodies: Record<ReportFormat, () => Promise<Uint8Array | string>> = {
    json: async () => renderJson(document),
    md: async () => renderMarkdown(document),
    html: async () => html,
    pdf: () => renderPdf(html, { executablePath: settings.chromiumPath, signal }),
  };
  for (const format of REPORT_FORMATS) {
    const path = reportExportPath(tenantId, document.reportId, document.version, format);
    await settings.storage.put({ bucket: "reports", path }, await bodies[format](), {
      contentType: REPORT_CONTENT_TYPES[format],
    });
  }
}

type PostgresSaver = Awaited<ReturnType<typeof postgresCheckpointer>>;
const checkpointers = new Map<string, Promise<PostgresSaver>>();
/** One saver (and pool) per database per worker process. */
export function checkpointerFor(connectionString: string): Promise<PostgresSaver> {
  if (!checkpointers.has(connectionString)) {
    // createDb's pool survives a database restart; saver.end() closes it.
    const db = createDb(connectionString);
    const saver = postgresCheckpointer(db.pool).catch(async (error: unknown) => {
      // Not kept when set-up failed (e.g. the database was restarting): the next report tries again.
      checkpointers.delete(connectionString);
      await db.close();
      throw error;
    });
    checkpointers.set(connectionString, saver);
  }
  return checkpointers.get(connectionString)!;
}

/** Closes the checkpoint savers' pools (worker shutdown, tests dropping their database). */
export async function closeReportCheckpointers(): Promise<void> {
  const savers = [...checkpointers.values()];
  checkpointers.clear();
  await Promise.all(
    savers.map((saver) =>
      saver.then(
        (ready) => ready.end(),
        () => undefined,
      ),
    ),
  );
}

/**
 * Produces the report version the report row asks for (requested_version),
 * idempotently: a version already published is not written again (only its
 * exports are re-stored), and a crashed run resumes its LangGraph thread
 * `<report id>:v<version>` from the Postgres checkpoint, so finished sections
 * are not paid for twice. AI calls are metered into ai_usage as they happen.
 */
export async function produceReportVersion(
  settings: ReportTaskSettings,
  request: ReportRequest,
  signal?: AbortSignal,
): Promise<ReportOutcome> {
  const { db } = settings;
  const report = await db.kysely
    .selectFrom("reports")
    .selectAll()
    .where("scan_id", "=", request.scanId)
    .$if(request.reportId !== undefined, (q) => q.where("id", "=", request.reportId!))
    .executeTakeFirst();
  if (!report) return { kind: "gone" };
  const loaded = await loadScanInput(db, report.tenant_id, request.scanId);
  if (!loaded) return { kind: "gone" };

  if (report.latest_version >= report.requested_version) {
    const latest = await db.kysely
      .selectFrom("report_versions")
      .select(["content", "scan_diff"])
      .where("report_id", "=", report.id)
      .where("version", "=", report.latest_version)
      .executeTakeFirstOrThrow();
    const document = buildReportDocument(ReportContent.parse(latest.content), {
      reportId: report.id,
      version: report.latest_version,
      changes: (latest.scan_diff as ScanDiff | null) ?? null,
    });
    await storeExports(settings, report.tenant_id, document, signal);
    return { kind: "up-to-date", reportId: report.id, version: report.latest_version };
  }

  const version = report.requested_version;
  await withServiceTx(db, async (tx) => {
    const generating = await tx
      .updateTable("reports")
      .set({ status: "generating", error_message: null })
      .where("id", "=", report.id)
      .returning(["status"])
      .executeTakeFirstOrThrow();
    await emitEvent(tx, {
      type: "report.generating",
      tenantId: report.tenant_id,
      userId: null,
      subject: report.id,
      data: { reportId: report.id, scanId: request.scanId, version, status: generating.status },
    });
  });

  const recordUsage = async (record: UsageRecord) => {
    await db.kysely
      .insertInto("ai_usage")
      .values({
        tenant_id: report.tenant_id,
        scan_id: request.scanId,
        report_id: report.id,
        report_version: version,
        task: record.task,
        section: record.section,
        provider: record.provider,
        model: record.model,
        input_tokens: record.inputTokens,
        output_tokens: record.outputTokens,
        cost_usd: record.costUsd.toFixed(6),
        priced: record.priced,
        latency_ms: Math.max(0, Math.round(record.latencyMs)),
        outcome: record.outcome,
        error: record.error?.slice(0, 2000) ?? null,
      })
      .execute();
  };
  const { config, tenantSettings } = settings.tenantAi
    ? await settings.tenantAi(report.tenant_id)
    : { config: settings.aiConfig, tenantSettings: undefined };
  const saver = await checkpointerFor(settings.connectionString);
  const threadId = `${report.id}:v${version}`;
  const content = await generateReport(
    {
      scanId: request.scanId,
      tenantId: report.tenant_id,
      scan: loaded.scan,
      thesis: loaded.thesis?.trim() ? loaded.thesis.slice(0, 10_000) : null,
    },
    {
      config,
      tenantSettings,
      recordUsage,
      checkpointer: saver,
      threadId,
      signal,
      fetchFor: settings.providerFetch,
    },
  );
  const changes = await parentDiff(db, report.tenant_id, request.scanId, loaded.scan, loaded.parentScanId);
  // Exports are stored before the version is published, so a reader told "ready" can download every format
  // (a retry after a failed publish overwrites them).
  await storeExports(
    settings,
    report.tenant_id,
    buildReportDocument(content, { reportId: report.id, version, changes }),
    signal,
  );

  await withServiceTx(db, async (tx) => {
    await tx
      .insertInto("report_versions")
      .values({
        report_id: report.id,
        tenant_id: report.tenant_id,
        scan_id: request.scanId,
        version,
        content: JSON.stringify(ReportContent.parse(content)),
        scan_diff: changes ? JSON.stringify(changes) : null,
        compared_scan_id: changes ? changes.beforeScanId : null,
        models: JSON.stringify(content.usage.models),
        input_tokens: content.usage.inputTokens,
        output_tokens: content.usage.outputTokens,
        cost_usd: content.usage.costUsd.toFixed(6),
        claims_published: content.claims.length,
        claims_dropped: content.dropped.count,
      })
      .onConflict((conflict) => conflict.columns(["report_id", "version"]).doNothing())
      .execute();
    const updated = await tx
      .updateTable("reports")
      .set({
        latest_version: version,
        // A regenerate that arrived meanwhile asked for a later version: its job is queued.
        status: sql<
          "queued" | "ready"
        >`case when requested_version > ${version} then 'queued'::public.report_status else 'ready'::public.report_status end`,
      })
      .where("id", "=", report.id)
      .returning(["status"])
      .executeTakeFirstOrThrow();
    await emitEvent(tx, {
      type: "report.version_created",
      tenantId: report.tenant_id,
      userId: null,
      subject: report.id,
      data: {
        reportId: report.id,
        scanId: request.scanId,
        version,
        status: updated.status,
        claims: content.claims.length,
        dropped: content.dropped.count,
      },
    });
  });
  await saver.deleteThread(threadId);
  return { kind: "created", reportId: report.id, version };
}

/** The last attempt failed: the report says so (the versions already published stay). */
export async function markReportFailed(db: Db, scanId: string, message: string): Promise<void> {
  await withServiceTx(db, async (tx) => {
    const failed = await tx
      .updateTable("reports")
      .set({ status: "failed", error_message: message.slice(0, 2000) })
      .where("scan_id", "=", scanId)
      .returning(["id", "tenant_id", "requested_version"])
      .executeTakeFirst();
    if (failed)
      await emitEvent(tx, {
        type: "report.failed",
        tenantId: failed.tenant_id,
        userId: null,
        subject: failed.id,
        data: {
          reportId: failed.id,
          scanId,
          version: failed.requested_version,
          error: message.slice(0, 500),
        },
      });
  });
}
