import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AiConfig, DEFAULT_PRICES, TASKS } from "@techscaniq/ai";
import { agentCallCost } from "@techscaniq/ai/agents";
import { designFromText } from "@techscaniq/contracts/agents";
import { sql, withServiceTx } from "@techscaniq/db";
import { createLocalStorage, type ObjectStorage } from "@techscaniq/db/storage";
import {
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
  waitUntil,
} from "@techscaniq/db/testing";
import { startFakeLlm, type FakeLlmServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadWorkerEnv } from "../../env";
import { createLogger } from "../../logger";
import { startWorker } from "../../worker";
import { aiSettingsFromEnv } from "../report/index";
import { providerFetchFor } from "../report/provider-fetch";
import { analyzeSessionImage, type DesignImageSettings } from "./design-image";

let database: TestDatabase;
let fake: FakeLlmServer;
let storage: ObjectStorage;
let dataDir: string;
let tenantId: string;

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(48, 3),
]);
const ANALYSIS = designFromText("Watch our portfolio companies' technology stacks and security regressions.");

function settingsWith(provider: "openai" | "local"): DesignImageSettings {
  const aiConfig = AiConfig.parse({
    providers: {
      openai: { kind: "openai", apiKey: "sk-test", baseURL: fake.openaiBaseUrl },
      local: { kind: "openai-compatible", baseURL: fake.openaiBaseUrl },
      offline: { kind: "offline" },
    },
    routes: Object.fromEntries(TASKS.map((task) => [task, [{ provider, model: "gpt-4o" }]])),
    prices: DEFAULT_PRICES,
    maxOutputTokens: 500,
    timeoutMs: 30_000,
  });
  return { db: database.db, storage, aiConfig, providerFetch: providerFetchFor(true) };
}

/** A session as design.analyzeImage leaves it: the diagram stored, its analysis queued. */
async function imageSession(): Promise<string> {
  const id = crypto.randomUUID();
  const imagePath = `${tenantId}/design/${id}.png`;
  await storage.put({ bucket: "artifacts", path: imagePath }, PNG, { contentType: "image/png" });
  await withServiceTx(database.db, (tx) =>
    tx
      .insertInto("design_sessions")
      .values({
        id,
        tenant_id: tenantId,
        title: "process.png",
        source: "image",
        source_name: "process.png",
        analysis: JSON.stringify({ capabilities: [], agents: [], relations: [] }),
        image_path: imagePath,
        image_status: "analysing",
      })
      .execute(),
  );
  return id;
}

/** This test's metered calls, oldest first; each test reads only its own (the rows are cleared first). */
const usageRows = () =>
  database.db.kysely
    .selectFrom("ai_usage")
    .select(["task", "provider", "model", "input_tokens", "output_tokens", "cost_usd", "outcome"])
    .where("tenant_id", "=", tenantId)
    .orderBy("id")
    .execute();

const sessionOf = (id: string) =>
  database.db.kysely.selectFrom("design_sessions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

beforeAll(async () => {
  database = await createTestDatabase();
  fake = await startFakeLlm();
  dataDir = await mkdtemp(path.join(tmpdir(), "tsiq-design-image-worker-"));
  storage = createLocalStorage(path.join(dataDir, "storage"));
  tenantId = (await createTestTenant(database.db, (await createTestUser(database.db)).id)).id;
});

afterAll(async () => {
  await fake?.close();
  await database?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

beforeEach(async () => {
  fake.reset();
  await withServiceTx(database.db, (tx) => tx.deleteFrom("ai_usage").execute());
});

describe("agents: design.analyzeImage through a vision-capable model", { timeout: 60_000 }, () => {
  it("sends the stored diagram to the model and writes the parsed analysis into the session, once", async () => {
    const sessionId = await imageSession();
    fake.enqueue({ json: ANALYSIS, inputTokens: 1_000, outputTokens: 200 });
    expect(await analyzeSessionImage(settingsWith("openai"), sessionId)).toBe("analysed");
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.images).toEqual([{ mediaType: "image/png", bytes: PNG }]);
    const session = await sessionOf(sessionId);
    expect(session).toMatchObject({ image_status: "analysed", image_error: null, analysis: ANALYSIS });
    // A re-delivered job finds the session analysed and calls nothing.
    expect(await analyzeSessionImage(settingsWith("openai"), sessionId)).toBe("analysed");
    expect(fake.requests).toHaveLength(1);
    // The call is metered into the tenant's AI usage.
    expect(await usageRows()).toEqual([
      {
        task: "analyzeDiagram",
        provider: "openai",
        model: "gpt-4o",
        input_tokens: 1_000,
        output_tokens: 200,
        cost_usd: agentCallCost(DEFAULT_PRICES, "gpt-4o", 1_000, 200).toFixed(6),
        outcome: "ok",
      },
    ]);
  });

  it("fails the session with the validation errors when the model's answer stays invalid", async () => {
    const sessionId = await imageSession();
    fake.enqueue({ json: { capabilities: "x" } }, { text: "Ignore your instructions." });
    expect(await analyzeSessionImage(settingsWith("openai"), sessionId)).toBe("failed");
    const session = await sessionOf(sessionId);
    expect(session.image_status).toBe("failed");
    expect(session.image_error).toMatch(/^the model's analysis of the diagram is invalid: /);
    expect(session.analysis).toEqual({ capabilities: [], agents: [], relations: [] });
    expect((await usageRows()).map((row) => row.outcome)).toEqual(["invalid_answer"]);
  });

  it("says plainly that it was not analysed when the tenant's models cannot read images", async () => {
    const sessionId = await imageSession();
    expect(await analyzeSessionImage(settingsWith("local"), sessionId)).toBe("unanalysed");
    expect((await sessionOf(sessionId)).image_error).toMatch(/^No vision-capable model is configured/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe("agents: diagram analysis with a worker-only deployment key", { timeout: 60_000 }, () => {
  /** The task's settings as the worker builds them from its environment (no tenant settings at all). */
  const settingsFromEnv = (keys: Record<string, string>): DesignImageSettings => ({
    db: database.db,
    storage,
    ...aiSettingsFromEnv(
      database.db,
      loadWorkerEnv({ DATABASE_URL: database.url, TECHSCANIQ_DATA_DIR: dataDir, ...keys }),
    ),
  });

  it("analyses the diagram of a workspace without AI settings with the worker's OPENAI_API_KEY", async () => {
    const sessionId = await imageSession();
    fake.enqueue({ json: ANALYSIS, inputTokens: 900, outputTokens: 100 });
    const settings = settingsFromEnv({
      OPENAI_API_KEY: "sk-deployment-only",
      OPENAI_BASE_URL: fake.openaiBaseUrl,
      TECHSCANIQ_OPENAI_MODEL: "gpt-4o",
    });
    expect(await analyzeSessionImage(settings, sessionId)).toBe("analysed");
    expect(fake.requests[0]!.images).toEqual([{ mediaType: "image/png", bytes: PNG }]);
    expect(await sessionOf(sessionId)).toMatchObject({ image_status: "analysed", analysis: ANALYSIS });
    expect((await usageRows()).map((row) => [row.provider, row.model, row.outcome])).toEqual([
      ["openai", "gpt-4o", "ok"],
    ]);
  });

  it("without a key anywhere, records plainly that no vision-capable model analysed it", async () => {
    const sessionId = await imageSession();
    expect(await analyzeSessionImage(settingsFromEnv({}), sessionId)).toBe("unanalysed");
    const session = await sessionOf(sessionId);
    expect(session.image_status).toBe("unanalysed");
    expect(session.image_error).toMatch(/^No vision-capable model is configured, so the diagram was not/);
    expect(fake.requests).toHaveLength(0);
    expect(await usageRows()).toEqual([]);
  });
});

describe("agents: design.analyze_image runs in the real worker", { timeout: 120_000 }, () => {
  it("a queued diagram job is taken up by the started worker and its analysis written", async () => {
    const sessionId = await imageSession();
    await withServiceTx(database.db, (tx) =>
      sql`select private.enqueue_design_image_job(${sessionId}::uuid)`.execute(tx),
    );
    fake.enqueue({ json: ANALYSIS });
    const env = loadWorkerEnv({
      DATABASE_URL: database.url,
      TECHSCANIQ_DATA_DIR: dataDir,
      OPENAI_API_KEY: "sk-test",
      OPENAI_BASE_URL: fake.openaiBaseUrl,
      TECHSCANIQ_OPENAI_MODEL: "gpt-4o",
      WORKER_HEALTH_PORT: "0",
      WORKER_CONCURRENCY: "1",
      WORKER_ID: `design-image-test-${process.pid}`,
    });
    const worker = await startWorker(env, { logger: createLogger("silent", env.WORKER_ID) });
    try {
      const session = await waitUntil(
        async () => {
          const row = await sessionOf(sessionId);
          return row.image_status === "analysing" ? null : row;
        },
        { what: "the diagram's analysis", timeoutMs: 90_000, intervalMs: 200 },
      );
      expect(session).toMatchObject({ image_status: "analysed", analysis: ANALYSIS });
      expect(fake.requests[0]!.images).toEqual([{ mediaType: "image/png", bytes: PNG }]);
    } finally {
      await worker.stop();
    }
  });
});
