import { rm } from "node:fs/promises";
import path from "node:path";
import { AiConfig, TASKS } from "@techscaniq/ai";
import { tenantKeyContext } from "@techscaniq/contracts/ai";
import { withServiceTx } from "@techscaniq/db";
import { loadSecretBox } from "@techscaniq/db/secrets";
import { createLocalStorage } from "@techscaniq/db/storage";
import { createTestTenant, createTestUser } from "@techscaniq/db/testing";
import { startFakeLlm, type FakeLlmRequest, type FakeLlmServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startScanTestBed, type ScanTestBed } from "../scan/test-support";
import { closeReportCheckpointers, produceReportVersion, type ReportTaskSettings } from "./generate";
import { tenantAiLoader } from "./tenant-ai";

// The fake provider listens on 127.0.0.1 (the operator switch lets a tenant point at it); API and worker share the data dir's secrets key.
const dataDir = await vi.hoisted(async () => {
  const [{ mkdtempSync }, { tmpdir }, { join }] = await Promise.all([import("node:fs"), import("node:os"), import("node:path")]);
  process.env.TECHSCANIQ_ALLOW_PRIVATE = "1";
  delete process.env.TECHSCANIQ_SECRETS_KEY;
  return (process.env.TECHSCANIQ_DATA_DIR = mkdtempSync(join(tmpdir(), "tsiq-tenant-ai-")));
});

const TENANT_A_KEY = "sk-tenant-a-own-key-7Xq2";
const offlineOnly = AiConfig.parse({
  providers: { offline: { kind: "offline" } },
  routes: Object.fromEntries(TASKS.map((task) => [task, [{ provider: "offline", model: "rules" }]])),
  retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 100 },
  timeoutMs: 10_000,
});

let bed: ScanTestBed;
let fake: FakeLlmServer;
let settings: ReportTaskSettings;

async function succeededScan(tenantId: string): Promise<string> {
  return withServiceTx(bed.database.db, async (tx) => {
    const scan = await tx.insertInto("scans").values({ tenant_id: tenantId, target_url: "https://example.com/" }).returning("id").executeTakeFirstOrThrow();
    // Success queues the scan's report (private.queue_report), which this test then produces itself.
    await tx.updateTable("scans").set({ status: "succeeded" }).where("id", "=", scan.id).execute();
    return scan.id;
  });
}

const usageOf = (scanId: string) => bed.database.db.kysely.selectFrom("ai_usage").select(["provider", "model", "task", "outcome"]).where("scan_id", "=", scanId).execute();

beforeAll(async () => {
  bed = await startScanTestBed();
  fake = await startFakeLlm();
  fake.setDefault((request: FakeLlmRequest) =>
    /Task: verifyClaim/.test(request.text) ? { json: { entailed: true, reason: "shown" } } : { json: { claims: [{ text: "The site is served over HTTPS.", evidence: [] }] }, inputTokens: 50, outputTokens: 5 },
  );
  settings = {
    db: bed.database.db,
    storage: createLocalStorage(path.join(dataDir, "storage")),
    connectionString: bed.database.url,
    aiConfig: offlineOnly,
    tenantAi: tenantAiLoader({ db: bed.database.db, base: offlineOnly, secretBox: () => loadSecretBox(), defaultModels: { openai: "gpt-4o-mini", anthropic: "claude-haiku-4-5", local: "llama3.1" } }),
  };
});

afterAll(async () => {
  await closeReportCheckpointers();
  await fake.close();
  await bed.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("report.generate with per-tenant AI settings", { timeout: 120_000 }, () => {
  it("uses tenant A's own OpenAI key and base URL; tenant B without settings gets the offline analyst", async () => {
    await bed.client.aiSettings.update.mutate({ providers: { openai: { apiKey: TENANT_A_KEY, baseUrl: fake.openaiBaseUrl, model: "gpt-4o-mini" } } });
    const scanA = await succeededScan(bed.tenantId);
    expect(await produceReportVersion(settings, { scanId: scanA })).toMatchObject({ kind: "created", version: 1 });

    const usageA = await usageOf(scanA);
    expect(usageA.length).toBeGreaterThan(0);
    expect(usageA.filter((row) => row.provider === "openai").length).toBe(fake.requests.length);
    expect(usageA.find((row) => row.task === "writeSection")).toMatchObject({ provider: "openai", model: "gpt-4o-mini", outcome: "ok" });
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(fake.requests.every((request) => request.headers.authorization === `Bearer ${TENANT_A_KEY}`)).toBe(true);

    const ownerB = await createTestUser(bed.database.db);
    const tenantB = await createTestTenant(bed.database.db, ownerB.id);
    const seenBefore = fake.requests.length;
    const scanB = await succeededScan(tenantB.id);
    expect(await produceReportVersion(settings, { scanId: scanB })).toMatchObject({ kind: "created", version: 1 });
    const usageB = await usageOf(scanB);
    expect(usageB.length).toBeGreaterThan(0);
    expect(usageB.every((row) => row.provider === "offline")).toBe(true);
    expect(fake.requests.length).toBe(seenBefore);
  });

  it("refuses to run a tenant's report on a key that does not open, naming the provider", async () => {
    const ownerC = await createTestUser(bed.database.db);
    const tenantC = await createTestTenant(bed.database.db, ownerC.id);
    // Tenant A's sealed key copied onto tenant C: bound to A, it must not open for C.
    const sealedForA = (await loadSecretBox()).seal(TENANT_A_KEY, tenantKeyContext(bed.tenantId, "openai"));
    await withServiceTx(bed.database.db, (tx) => tx.insertInto("tenant_ai_settings").values({ tenant_id: tenantC.id, openai_key_ciphertext: sealedForA, openai_key_last4: "7Xq2" }).execute());
    await expect(settings.tenantAi!(tenantC.id)).rejects.toThrow(/the stored openai key cannot be opened/);
    await withServiceTx(bed.database.db, (tx) =>
      tx.updateTable("tenant_ai_settings").set({ openai_key_ciphertext: null, openai_key_last4: null, openai_key_env: "TECHSCANIQ_AI_KEY_UNSET_IN_TEST" }).where("tenant_id", "=", tenantC.id).execute(),
    );
    await expect(settings.tenantAi!(tenantC.id)).rejects.toThrow(/refers to TECHSCANIQ_AI_KEY_UNSET_IN_TEST, which is not set/);
  });
});
