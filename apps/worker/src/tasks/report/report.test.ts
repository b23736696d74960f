import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AiConfig, TASKS } from "@techscaniq/ai";
import { countPdfPages } from "@techscaniq/ai/render/pdf";
import { createTechScanClient } from "@techscaniq/api/client";
import { sql, withRlsTx, withServiceTx } from "@techscaniq/db";
import { createLocalStorage } from "@techscaniq/db/storage";
import { claimsFor, createTestTenant, createTestUser, waitUntil } from "@techscaniq/db/testing";
import {
  startFakeLlm,
  startFixtureServer,
  type FakeLlmRequest,
  type FakeLlmServer,
  type FixtureServer,
} from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWorkerEnv } from "../../env";
import { createLogger } from "../../logger";
import { startWorker } from "../../worker";
import { followScan, startScanTestBed, type ScanTestBed } from "../../testing/scan";
import { closeReportCheckpointers, produceReportVersion } from "./generate";
import { providerFetchFor } from "./provider-fetch";

// Tests scan 127.0.0.1 fixtures (the operator switch) and share one storage dir between API and worker.
process.env.TECHSCANIQ_ALLOW_PRIVATE = "1";
const dataDir = (process.env.TECHSCANIQ_DATA_DIR = mkdtempSync(path.join(tmpdir(), "tsiq-report-")));

let bed: ScanTestBed;
let fixtures: FixtureServer;
let fake: FakeLlmServer;
let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
let scanId: string;
let rescanId: string;
let reportId: string;
let tenantB: ReturnType<typeof createTechScanClient>;

type Client = ScanTestBed["client"];

/** 300 polls of 200 ms, as before the shared helper. */
const waitFor = <T>(what: string, probe: () => Promise<T | null>): Promise<T> =>
  waitUntil(probe, { what, timeoutMs: 60_000 });

/** The report of a scan once its version exists and its exports (PDF last) are stored. */
async function readyReport(client: Client, id: string) {
  const report = await waitFor("report version", async () => {
    const got = await client.report.get.query({ scanId: id }).catch(() => null);
    return got?.document ? got : null;
  });
  await waitFor("pdf export", () =>
    client.report.export.query({ reportId: report.report.id, format: "pdf" }).catch(() => null),
  );
  return report;
}

async function trpcError(call: Promise<unknown>): Promise<{ code: string | undefined; message: string }> {
  const error = await call.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error, "expected the call to be refused").toBeInstanceOf(Error);
  const refused = error as Error & { data?: { code?: string } };
  return { code: refused.data?.code, message: refused.message };
}

const promptTask = (text: string) => ({
  task: /Task: (\w+)/.exec(text)?.[1] ?? null,
  section: /Section: (\w+)/.exec(text)?.[1] ?? null,
});

function fakeConfig(): AiConfig {
  return AiConfig.parse({
    providers: { openai: { kind: "openai", apiKey: "sk-test", baseURL: fake.openaiBaseUrl } },
    routes: Object.fromEntries(TASKS.map((task) => [task, [{ provider: "openai", model: "gpt-4o-mini" }]])),
    prices: { "gpt-4o-mini": { inputPerMTokUsd: 0.15, outputPerMTokUsd: 0.6 } },
    retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 100 },
    timeoutMs: 10_000,
  });
}

/** A model that states one stored technology finding per section, citing its evidence. */
async function scriptModel(options: { slowExcept?: string[] } = {}) {
  const technology = await bed.database.db.kysely
    .selectFrom("findings")
    .selectAll()
    .where("scan_id", "=", scanId)
    .where("kind", "=", "technology")
    .orderBy("finding_key")
    .executeTakeFirstOrThrow();
  fake.setDefault((request: FakeLlmRequest) => {
    const { task, section } = promptTask(request.text);
    if (task === "verifyClaim") return { json: { entailed: true, reason: "shown by the evidence" } };
    const claim = { text: `${technology.name} is used on the site.`, evidence: technology.evidence_ids };
    const slow = options.slowExcept && task === "writeSection" && !options.slowExcept.includes(section ?? "");
    return { json: { claims: [claim] }, inputTokens: 900, outputTokens: 120, delayMs: slow ? 4_000 : 0 };
  });
}

function settings() {
  return {
    db: bed.database.db,
    storage: createLocalStorage(path.join(dataDir, "storage")),
    connectionString: bed.database.url,
    aiConfig: fakeConfig(),
    providerFetch: providerFetchFor(true),
  };
}

async function requestNextVersion(): Promise<number> {
  await withServiceTx(bed.database.db, (tx) => sql`select private.queue_report(${scanId}::uuid)`.execute(tx));
  const row = await bed.database.db.kysely
    .selectFrom("reports")
    .select("requested_version")
    .where("id", "=", reportId)
    .executeTakeFirstOrThrow();
  return row.requested_version;
}

beforeAll(async () => {
  bed = await startScanTestBed();
  fixtures = await startFixtureServer();
  fake = await startFakeLlm();
  const env = loadWorkerEnv({
    ...process.env,
    DATABASE_URL: bed.database.url,
    WORKER_HEALTH_PORT: "0",
    WORKER_CONCURRENCY: "2",
    WORKER_ID: `report-test-${process.pid}`,
  });
  worker = await startWorker(env, { logger: createLogger("silent", env.WORKER_ID) });
  const owner = await createTestUser(bed.database.db);
  const tenant = await createTestTenant(bed.database.db, owner.id);
  const session = await createTechScanClient({ url: bed.api.url }).auth.signIn.mutate({
    email: owner.email,
    password: owner.password,
  });
  tenantB = createTechScanClient({ url: bed.api.url, accessToken: session.accessToken, tenantId: tenant.id });
});

afterAll(async () => {
  await worker?.stop();
  await closeReportCheckpointers();
  await fake.close();
  await fixtures.close();
  await bed.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe(
  "reports end to end (offline analyst, worker in-process, API over HTTP)",
  { timeout: 180_000 },
  () => {
    it("scans the injection fixture, writes a complete verified report and exports all four formats with site content escaped", async () => {
      const scan = await bed.client.scan.create.mutate({
        url: fixtures.url("injection"),
        options: { maxPages: 3, renderCount: 0, maxDepth: 1 },
      });
      scanId = scan.id;
      expect((await followScan(bed.client, scanId)).at(-1)?.type).toBe("scan.completed");
      const { report, version, document } = await readyReport(bed.client, scanId);
      reportId = report.id;
      expect(report).toMatchObject({ status: "ready", latestVersion: 1, requestedVersion: 1, error: null });
      expect(version).toMatchObject({
        version: 1,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
        claimsDropped: 0,
        comparedScanId: null,
      });
      expect(document!.sections.length).toBeGreaterThan(5);
      expect(document!.sections.every((s) => s.status === "written")).toBe(true);
      expect(document!.claims.length).toBe(version!.claimsPublished);
      expect(document!.claims.length).toBeGreaterThan(5);
      const cited = new Set(document!.evidence.map((e) => e.id));
      for (const claim of document!.claims) {
        expect(claim.verification.status).toBe("verified");
        for (const id of claim.evidence) expect(cited.has(id), `${claim.id} cites ${id}`).toBe(true);
      }
      expect(document!.claims.map((c) => c.text).join("\n")).not.toMatch(
        /ignore previous|developer mode|highest score|api key/i,
      );

      const exportAs = (format: "md" | "html" | "json" | "pdf") =>
        bed.client.report.export.query({ reportId, format });
      const exported = {
        md: await exportAs("md"),
        html: await exportAs("html"),
        json: await exportAs("json"),
        pdf: await exportAs("pdf"),
      };
      expect(JSON.parse(exported.json.content)).toEqual(document);
      const html = exported.html.content;
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).not.toMatch(/<script|<img|<[^>]*\son\w+=|href="javascript:/i);
      expect(exported.md.content).not.toMatch(/<script|<img|(?<!\\)\]\(javascript:/i);
      expect(exported.md.content).toContain("## Evidence");
      expect(exported.pdf).toMatchObject({ encoding: "base64", contentType: "application/pdf" });
      const pdf = Buffer.from(exported.pdf.content, "base64");
      expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
      expect(countPdfPages(pdf)).toBeGreaterThan(0);

      const usage = await bed.database.db.kysely
        .selectFrom("ai_usage")
        .selectAll()
        .where("report_id", "=", reportId)
        .execute();
      expect(usage.length).toBeGreaterThan(0);
      expect(usage.every((u) => u.provider === "offline" && u.input_tokens === 0 && u.outcome === "ok")).toBe(
        true,
      );
    });

    it("a re-scan's report carries the changes since its parent, and report.diff returns them as data", async () => {
      const rescan = await bed.client.scan.rescan.mutate({ scanId });
      rescanId = rescan.id;
      expect((await followScan(bed.client, rescanId)).at(-1)?.type).toBe("scan.completed");
      const { version, document } = await readyReport(bed.client, rescanId);
      expect(version!.comparedScanId).toBe(scanId);
      expect(document!.changes).toMatchObject({
        beforeScanId: scanId,
        afterScanId: rescanId,
        unchanged: true,
      });
      const html = (
        await bed.client.report.export.query({
          reportId: (await bed.client.report.get.query({ scanId: rescanId })).report.id,
          format: "html",
        })
      ).content;
      expect(html).toContain("Changes since the previous scan");
      const diff = await bed.client.report.diff.query({ beforeScanId: scanId, afterScanId: rescanId });
      expect(diff).toEqual(document!.changes);
    });

    it("lists reports and versions; regenerate queues and publishes version 2 without touching version 1", async () => {
      const listed = await bed.client.report.list.query({ limit: 1 });
      expect(listed.items).toHaveLength(1);
      expect(listed.nextCursor).not.toBeNull();
      const rest = await bed.client.report.list.query({ limit: 10, cursor: listed.nextCursor! });
      expect([...listed.items, ...rest.items].map((r) => r.scanId).sort()).toEqual([scanId, rescanId].sort());

      const v1 = await bed.client.report.get.query({ reportId, version: 1 });
      const queued = await bed.client.report.regenerate.mutate({ reportId });
      expect(queued).toMatchObject({ requestedVersion: 2, latestVersion: 1 });
      await waitFor("version 2", async () =>
        (await bed.client.report.get.query({ reportId })).report.latestVersion === 2 ? true : null,
      );
      await waitFor("v2 pdf", () =>
        bed.client.report.export.query({ reportId, format: "pdf", version: 2 }).catch(() => null),
      );
      expect((await bed.client.report.versions.query({ reportId })).map((v) => v.version)).toEqual([2, 1]);
      const again = await bed.client.report.get.query({ reportId, version: 1 });
      expect({ version: again.version, document: again.document }).toEqual({
        version: v1.version,
        document: v1.document,
      });
    });
  },
);

describe("report.generate with a model (fake OpenAI server on 127.0.0.1)", { timeout: 120_000 }, () => {
  // From here on the tests run the task themselves (and count every call), so no worker may take the job.
  beforeAll(async () => {
    await worker?.stop();
    worker = undefined;
  });

  it("meters every call into ai_usage, readable by the tenant and not by tenant B", async () => {
    fake.reset();
    await scriptModel();
    const version = await requestNextVersion();
    const outcome = await produceReportVersion(settings(), { scanId, reportId });
    expect(outcome).toEqual({ kind: "created", reportId, version });
    const rows = await bed.database.db.kysely
      .selectFrom("ai_usage")
      .selectAll()
      .where("report_id", "=", reportId)
      .where("report_version", "=", version)
      .execute();
    expect(rows.length).toBe(fake.requests.length);
    expect(
      rows.every(
        (r) =>
          r.provider === "openai" &&
          r.model === "gpt-4o-mini" &&
          r.outcome === "ok" &&
          Number(r.cost_usd) > 0,
      ),
    ).toBe(true);
    expect(
      rows
        .filter((r) => r.task === "writeSection")
        .every((r) => r.input_tokens === 900 && r.output_tokens === 120 && r.section !== null),
    ).toBe(true);
    const stored = await bed.database.db.kysely
      .selectFrom("report_versions")
      .selectAll()
      .where("report_id", "=", reportId)
      .where("version", "=", version)
      .executeTakeFirstOrThrow();
    expect(stored.input_tokens).toBe(rows.reduce((sum, r) => sum + r.input_tokens, 0));
    expect(stored.models).toEqual([
      {
        provider: "openai",
        model: "gpt-4o-mini",
        tasks: expect.arrayContaining(["writeSection", "verifyClaim", "summarise"]),
      },
    ]);

    const ownerId = (
      await bed.database.db.kysely
        .selectFrom("memberships")
        .select("user_id")
        .where("tenant_id", "=", bed.tenantId)
        .executeTakeFirstOrThrow()
    ).user_id;
    const seenByA = await withRlsTx(
      bed.database.db,
      claimsFor(ownerId),
      (tx) => tx.selectFrom("ai_usage").select("id").where("report_id", "=", reportId).execute(),
      { tenantId: bed.tenantId },
    );
    expect(seenByA.length).toBeGreaterThanOrEqual(rows.length);
    const outsider = await createTestUser(bed.database.db);
    const own = await createTestTenant(bed.database.db, outsider.id);
    const seenByB = await withRlsTx(
      bed.database.db,
      claimsFor(outsider.id),
      (tx) => tx.selectFrom("ai_usage").select("id").execute(),
      { tenantId: own.id },
    );
    expect(seenByB).toEqual([]);
  });

  it("resumes after a crash mid-graph from the Postgres checkpoint without new calls for finished sections", async () => {
    fake.reset();
    await scriptModel({ slowExcept: ["technology_stack", "architecture"] });
    const version = await requestNextVersion();
    const controller = new AbortController();
    const finishedWrites = () =>
      fake.requests.filter((r) => promptTask(r.text).task === "writeSection" && r.status === 200);
    // Kill shortly after the two fast sections are answered: long enough for their
    // checkpoint writes to land, far shorter than the slow sections' 3 s.
    const watcher = setInterval(() => {
      if (finishedWrites().length < 2) return;
      clearInterval(watcher);
      setTimeout(() => controller.abort(new Error("worker killed")), 300);
    }, 20);
    await expect(produceReportVersion(settings(), { scanId, reportId }, controller.signal)).rejects.toThrow();
    clearInterval(watcher);
    // A killed process has written each finished section to the checkpoint when it finished; in-process the write may still be in flight.
    await waitFor("the finished sections' checkpoint writes", async () => {
      const { rows } = await sql<{
        n: string;
      }>`select count(distinct task_id) as n from langgraph.checkpoint_writes where thread_id = ${`${reportId}:v${version}`} and channel = 'drafts'`.execute(
        bed.database.db.kysely,
      );
      return Number(rows[0]!.n) >= 2 ? true : null;
    });
    const finished = finishedWrites().map((r) => promptTask(r.text).section);
    expect(finished.sort()).toEqual(["architecture", "technology_stack"]);
    const firstRun = fake.requests.length;
    expect(
      (
        await bed.database.db.kysely
          .selectFrom("reports")
          .select(["status", "latest_version"])
          .where("id", "=", reportId)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe("generating");

    await scriptModel();
    const outcome = await produceReportVersion(settings(), { scanId, reportId });
    expect(outcome).toEqual({ kind: "created", reportId, version });
    const resumed = fake.requests
      .slice(firstRun)
      .filter((r) => promptTask(r.text).task === "writeSection")
      .map((r) => promptTask(r.text).section);
    expect(resumed.length).toBeGreaterThan(0);
    for (const section of finished) expect(resumed).not.toContain(section);
    const { document } = await bed.client.report.get.query({ reportId, version });
    expect(document!.sections.every((s) => s.status === "written")).toBe(true);
    expect(document!.claims.some((c) => c.section === "technology_stack")).toBe(true);

    // Running the job again publishes nothing new: the version exists, only its exports are re-stored.
    expect(await produceReportVersion(settings(), { scanId, reportId })).toEqual({
      kind: "up-to-date",
      reportId,
      version,
    });
    expect(
      (await bed.client.report.versions.query({ reportId })).filter((v) => v.version === version),
    ).toHaveLength(1);
  });
});

describe("isolation, immutability and bad input", () => {
  it("tenant B cannot get, list, export, regenerate, diff or see the versions of tenant A's reports", async () => {
    expect(await trpcError(tenantB.report.get.query({ reportId }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await trpcError(tenantB.report.get.query({ scanId }))).toMatchObject({ code: "NOT_FOUND" });
    expect((await tenantB.report.list.query({})).items).toEqual([]);
    expect(await trpcError(tenantB.report.versions.query({ reportId }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await trpcError(tenantB.report.export.query({ reportId, format: "pdf" }))).toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await trpcError(tenantB.report.regenerate.mutate({ reportId }))).toMatchObject({
      code: "NOT_FOUND",
    });
    expect(
      await trpcError(tenantB.report.diff.query({ beforeScanId: scanId, afterScanId: rescanId })),
    ).toMatchObject({ code: "NOT_FOUND" });
    // Tenant A's own client still works: the refusals above are about tenancy, not the calls.
    await expect(bed.client.report.versions.query({ reportId })).resolves.not.toHaveLength(0);
  });

  it("refuses bad input on every procedure with a message naming the field, and queues nothing", async () => {
    const jobs = async () =>
      Number(
        (
          await sql<{ n: string }>`select count(*) as n from graphile_worker.jobs`.execute(
            bed.database.db.kysely,
          )
        ).rows[0]!.n,
      );
    const before = await jobs();
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => bed.client.report.get.query({ reportId: "nope" }), /reportId must be a report id/],
      [() => bed.client.report.get.query({}), /give reportId or scanId/],
      [() => bed.client.report.get.query({ reportId, scanId }), /give reportId or scanId/],
      [() => bed.client.report.get.query({ reportId, version: 0 }), /version starts at 1/],
      [() => bed.client.report.list.query({ limit: 1000 }), /limit is at most 100/],
      [() => bed.client.report.list.query({ cursor: "garbage" }), /cursor: is not a cursor/],
      [() => bed.client.report.list.query({ status: "done" as never }), /status must be one of/],
      [() => bed.client.report.versions.query({ reportId: 42 as never }), /reportId must be a report id/],
      [() => bed.client.report.regenerate.mutate({ reportId: "x" }), /reportId must be a report id/],
      [
        () => bed.client.report.export.query({ reportId, format: "docx" as never }),
        /format must be one of json, md, html, pdf/,
      ],
      [
        () => bed.client.report.export.query({ reportId, format: "md", version: 99 }),
        /version: report .* has no version 99/,
      ],
      [
        () => bed.client.report.diff.query({ beforeScanId: scanId, afterScanId: scanId }),
        /afterScanId must differ/,
      ],
      [
        () => bed.client.report.diff.query({ beforeScanId: "a", afterScanId: rescanId }),
        /beforeScanId must be a scan id/,
      ],
    ];
    for (const [call, message] of cases) {
      const error = await trpcError(call());
      expect(error.message, String(message)).toMatch(message);
      expect(["BAD_REQUEST", "NOT_FOUND"]).toContain(error.code);
    }
    expect(await jobs()).toBe(before);
  });

  it("never changes a published version: updates and deletes are refused, deleting the scan removes them", async () => {
    const update = withServiceTx(bed.database.db, (tx) =>
      tx
        .updateTable("report_versions")
        .set({ content: JSON.stringify({ forged: true }) })
        .where("report_id", "=", reportId)
        .execute(),
    );
    await expect(update).rejects.toThrow(/report versions are immutable/);
    const remove = withServiceTx(bed.database.db, (tx) =>
      tx.deleteFrom("report_versions").where("report_id", "=", reportId).execute(),
    );
    await expect(remove).rejects.toThrow(/report versions are immutable/);
    await bed.client.scan.delete.mutate({ scanId: rescanId });
    expect(
      await bed.database.db.kysely
        .selectFrom("report_versions")
        .select("id")
        .where("scan_id", "=", rescanId)
        .execute(),
    ).toEqual([]);
  });
});
