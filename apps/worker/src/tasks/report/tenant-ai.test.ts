import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { AiConfig, DEFAULT_PRICES, TASKS, type OperatorAiPolicy } from "@techscaniq/ai";
import { tenantKeyContext } from "@techscaniq/contracts/ai";
import { assignOperatorAiKey } from "@techscaniq/api";
import { withServiceTx } from "@techscaniq/db";
import { loadDbEnv } from "@techscaniq/db/env";
import { loadSecretBox } from "@techscaniq/db/secrets";
import { createLocalStorage } from "@techscaniq/db/storage";
import { createTestTenant, createTestUser } from "@techscaniq/db/testing";
import { startFakeLlm, type FakeLlmRequest, type FakeLlmServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScanTestBed, type ScanTestBed } from "../../testing/scan";
import { closeReportCheckpointers, produceReportVersion, type ReportTaskSettings } from "./generate";
import { providerFetchFor } from "./provider-fetch";
import { tenantAiLoader } from "./tenant-ai";

// The fake provider listens on 127.0.0.1 (the operator switch lets a tenant point at it); API and worker share the data dir's secrets key.
process.env.TECHSCANIQ_ALLOW_PRIVATE = "1";
delete process.env.TECHSCANIQ_SECRETS_KEY;
const dataDir = (process.env.TECHSCANIQ_DATA_DIR = mkdtempSync(path.join(tmpdir(), "tsiq-tenant-ai-")));

const TENANT_A_KEY = "sk-tenant-a-own-key-7Xq2";
const offlineOnly = AiConfig.parse({
  providers: { offline: { kind: "offline" } },
  routes: Object.fromEntries(TASKS.map((task) => [task, [{ provider: "offline", model: "rules" }]])),
  retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 100 },
  timeoutMs: 10_000,
});

const policy: OperatorAiPolicy = {
  allowedModels: ["gpt-4o-mini"],
  maxReportTokenBudget: 200_000,
  prices: DEFAULT_PRICES,
};

let bed: ScanTestBed;
let fake: FakeLlmServer;
let settings: ReportTaskSettings;

/** A server that records what reaches it and answers every request with `answer` (a redirect, or a 500). */
async function recordingServer(answer: (res: ServerResponse) => void) {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function newTenant() {
  return createTestTenant(bed.database.db, (await createTestUser(bed.database.db)).id);
}

/** Settings written as the service role, as a direct PostgREST write or an older release could have left them. */
async function storeSettings(tenantId: string, values: Record<string, unknown>) {
  await withServiceTx(bed.database.db, (tx) =>
    tx
      .insertInto("tenant_ai_settings")
      .values({ tenant_id: tenantId, ...values })
      .execute(),
  );
}

async function succeededScan(tenantId: string): Promise<string> {
  return withServiceTx(bed.database.db, async (tx) => {
    const scan = await tx
      .insertInto("scans")
      .values({ tenant_id: tenantId, target_url: "https://example.com/" })
      .returning("id")
      .executeTakeFirstOrThrow();
    // Success queues the scan's report (private.queue_report), which this test then produces itself.
    await tx.updateTable("scans").set({ status: "succeeded" }).where("id", "=", scan.id).execute();
    return scan.id;
  });
}

const usageOf = (scanId: string) =>
  bed.database.db.kysely
    .selectFrom("ai_usage")
    .select(["provider", "model", "task", "outcome"])
    .where("scan_id", "=", scanId)
    .execute();

beforeAll(async () => {
  bed = await startScanTestBed();
  fake = await startFakeLlm();
  fake.setDefault((request: FakeLlmRequest) =>
    /Task: verifyClaim/.test(request.text)
      ? { json: { entailed: true, reason: "shown" } }
      : {
          json: { claims: [{ text: "The site is served over HTTPS.", evidence: [] }] },
          inputTokens: 50,
          outputTokens: 5,
        },
  );
  settings = {
    db: bed.database.db,
    storage: createLocalStorage(path.join(dataDir, "storage")),
    connectionString: bed.database.url,
    aiConfig: offlineOnly,
    tenantAi: tenantAiLoader({
      db: bed.database.db,
      base: offlineOnly,
      secretBox: () => loadSecretBox(loadDbEnv()),
      defaultModels: { openai: "gpt-4o-mini", anthropic: "claude-haiku-4-5", local: "llama3.1" },
      policy,
    }),
    providerFetch: providerFetchFor(true),
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
    await bed.client.aiSettings.update.mutate({
      providers: { openai: { apiKey: TENANT_A_KEY, baseUrl: fake.openaiBaseUrl, model: "gpt-4o-mini" } },
    });
    const scanA = await succeededScan(bed.tenantId);
    expect(await produceReportVersion(settings, { scanId: scanA })).toMatchObject({
      kind: "created",
      version: 1,
    });

    const usageA = await usageOf(scanA);
    expect(usageA.length).toBeGreaterThan(0);
    expect(usageA.filter((row) => row.provider === "openai").length).toBe(fake.requests.length);
    expect(usageA.find((row) => row.task === "writeSection")).toMatchObject({
      provider: "openai",
      model: "gpt-4o-mini",
      outcome: "ok",
    });
    expect(fake.requests.length).toBeGreaterThan(0);
    expect(fake.requests.every((request) => request.headers.authorization === `Bearer ${TENANT_A_KEY}`)).toBe(
      true,
    );

    const ownerB = await createTestUser(bed.database.db);
    const tenantB = await createTestTenant(bed.database.db, ownerB.id);
    const seenBefore = fake.requests.length;
    const scanB = await succeededScan(tenantB.id);
    expect(await produceReportVersion(settings, { scanId: scanB })).toMatchObject({
      kind: "created",
      version: 1,
    });
    const usageB = await usageOf(scanB);
    expect(usageB.length).toBeGreaterThan(0);
    expect(usageB.every((row) => row.provider === "offline")).toBe(true);
    expect(fake.requests.length).toBe(seenBefore);
  });

  it("refuses to run a tenant's report on a key that does not open, naming the provider", async () => {
    const ownerC = await createTestUser(bed.database.db);
    const tenantC = await createTestTenant(bed.database.db, ownerC.id);
    // Tenant A's sealed key copied onto tenant C: bound to A, it must not open for C.
    const sealedForA = (await loadSecretBox(loadDbEnv())).seal(
      TENANT_A_KEY,
      tenantKeyContext(bed.tenantId, "openai"),
    );
    await withServiceTx(bed.database.db, (tx) =>
      tx
        .insertInto("tenant_ai_settings")
        .values({ tenant_id: tenantC.id, openai_key_ciphertext: sealedForA, openai_key_last4: "7Xq2" })
        .execute(),
    );
    await expect(settings.tenantAi!(tenantC.id)).rejects.toThrow(/the stored openai key cannot be opened/);
  });
});

const OPERATOR_KEY = "sk-operator-assigned-to-d-Zp4v";
const usageErrors = (scanId: string) =>
  bed.database.db.kysely
    .selectFrom("ai_usage")
    .select(["provider", "outcome", "error"])
    .where("scan_id", "=", scanId)
    .where("provider", "=", "openai")
    .execute();

describe(
  "trust: any tenant admin can use another tenant's operator-provided AI key",
  { timeout: 120_000 },
  () => {
    it("sends an assigned key only to the operator's base URL, not to the tenant's, and never opens it for another tenant", async () => {
      const tenantD = await newTenant();
      const attacker = await recordingServer((res) => res.writeHead(500).end());
      try {
        const assigned = await assignOperatorAiKey(
          bed.database.db,
          { tenantSlug: tenantD.slug, provider: "openai", apiKey: OPERATOR_KEY, baseUrl: fake.openaiBaseUrl },
          await loadSecretBox(loadDbEnv()),
        );
        expect(assigned).toEqual({
          tenantId: tenantD.id,
          provider: "openai",
          last4: "Zp4v",
          baseUrl: fake.openaiBaseUrl,
        });
        // Tenant D points OpenAI at a server it controls: the assigned key must not follow.
        await storeSettings(tenantD.id, { openai_base_url: attacker.url, openai_model: "gpt-4o-mini" });
        const seenBefore = fake.requests.length;
        const scanD = await succeededScan(tenantD.id);
        expect(await produceReportVersion(settings, { scanId: scanD })).toMatchObject({
          kind: "created",
          version: 1,
        });
        const sent = fake.requests.slice(seenBefore);
        expect(sent.length).toBeGreaterThan(0);
        expect(sent.every((request) => request.headers.authorization === `Bearer ${OPERATOR_KEY}`)).toBe(
          true,
        );
        expect(attacker.seen).toHaveLength(0);

        // D's sealed key copied to tenant E (a stolen row) does not open there.
        const tenantE = await newTenant();
        await withServiceTx(bed.database.db, async (tx) => {
          const row = await tx
            .selectFrom("tenant_ai_operator_keys")
            .selectAll()
            .where("tenant_id", "=", tenantD.id)
            .executeTakeFirstOrThrow();
          await tx
            .insertInto("tenant_ai_operator_keys")
            .values({ ...row, tenant_id: tenantE.id })
            .execute();
        });
        await expect(settings.tenantAi!(tenantE.id)).rejects.toThrow(
          /the openai key the operator assigned cannot be opened/,
        );
      } finally {
        await attacker.close();
      }
    });
  },
);

describe("trust: AI provider base URL is an SSRF path", { timeout: 120_000 }, () => {
  it("refuses a tenant base URL on a loopback address at call time, even when it was stored around the API", async () => {
    const tenantF = await newTenant();
    const sealed = (await loadSecretBox(loadDbEnv())).seal(
      "sk-tenant-f-key-1111",
      tenantKeyContext(tenantF.id, "openai"),
    );
    await storeSettings(tenantF.id, {
      openai_key_ciphertext: sealed,
      openai_key_last4: "1111",
      openai_base_url: fake.openaiBaseUrl,
    });
    const seenBefore = fake.requests.length;
    const scanF = await succeededScan(tenantF.id);
    // The deployment does not allow private addresses: the worker's fetch refuses at connect time.
    const strict = { ...settings, providerFetch: providerFetchFor(false) };
    expect(await produceReportVersion(strict, { scanId: scanF })).toMatchObject({
      kind: "created",
      version: 1,
    });
    expect(fake.requests.length).toBe(seenBefore);
    const refused = await usageErrors(scanF);
    expect(refused.length).toBeGreaterThan(0);
    expect(
      refused.every(
        (row) => row.outcome === "client_error" && /^refused: .*127\.0\.0\.1/.test(row.error ?? ""),
      ),
    ).toBe(true);
  });

  it("does not follow a provider's redirect, so the key never reaches the redirect's target", async () => {
    const tenantG = await newTenant();
    const redirector = await recordingServer((res) =>
      res.writeHead(307, { location: `${fake.openaiBaseUrl}/chat/completions` }).end(),
    );
    try {
      const sealed = (await loadSecretBox(loadDbEnv())).seal(
        "sk-tenant-g-key-2222",
        tenantKeyContext(tenantG.id, "openai"),
      );
      await storeSettings(tenantG.id, {
        openai_key_ciphertext: sealed,
        openai_key_last4: "2222",
        openai_base_url: redirector.url,
      });
      const seenBefore = fake.requests.length;
      const scanG = await succeededScan(tenantG.id);
      expect(await produceReportVersion(settings, { scanId: scanG })).toMatchObject({
        kind: "created",
        version: 1,
      });
      expect(redirector.seen.length).toBeGreaterThan(0);
      expect(fake.requests.length).toBe(seenBefore);
      const refused = await usageErrors(scanG);
      expect(refused.every((row) => /^refused: too many redirects/.test(row.error ?? ""))).toBe(true);
    } finally {
      await redirector.close();
    }
  });
});
