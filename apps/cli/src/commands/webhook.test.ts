import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createApiKey } from "@techscaniq/api";
import { createTechScanClient } from "@techscaniq/api/client";
import { loadApiEnv } from "@techscaniq/api/env";
import { startTestApiServer, type TestApiServer } from "@techscaniq/api/testing";
import { emitEvent, withServiceTx } from "@techscaniq/db";
import {
  createTestDatabase,
  createTestTenant,
  createTestUser,
  waitUntil,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { startWebhookReceiver, type WebhookReceiver } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentIo } from "./agent";
import { runWebhookAdd, runWebhookDeliveries, runWebhookList } from "./webhook";

const workerMain = fileURLToPath(new URL("../../../worker/src/main.ts", import.meta.url));
// API and worker seal and open with the same key, as a deployment's processes do.
const SECRETS_KEY = "cli-webhook-test-secrets-key-0123456789abcdef";

let database: TestDatabase;
let api: TestApiServer;
let worker: ChildProcess;
let receiver: WebhookReceiver;
let dataDir: string;
let tenantId: string;
let connection: { url: string; apiKey: string };

function captureIo(): AgentIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (text) => out.push(text), stderr: (text) => err.push(text) };
}

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), "tsiq-cli-webhook-"));
  const shared = {
    TECHSCANIQ_SECRETS_KEY: SECRETS_KEY,
    TECHSCANIQ_DATA_DIR: dataDir,
    // The receiver listens on 127.0.0.1: the operator's switch.
    TECHSCANIQ_ALLOW_PRIVATE: "1",
  };
  worker = spawn(process.execPath, ["--import", "tsx", workerMain], {
    cwd: path.dirname(path.dirname(workerMain)),
    env: {
      ...process.env,
      ...shared,
      DATABASE_URL: database.url,
      WORKER_HEALTH_PORT: "0",
      WORKER_ID: `cli-webhook-test-${process.pid}`,
      LOG_LEVEL: "warn",
    },
    stdio: "ignore",
  });
  api = await startTestApiServer(database.db, { env: loadApiEnv({ ...process.env, ...shared }) });
  receiver = await startWebhookReceiver();
  const owner = await createTestUser(database.db);
  const tenant = await createTestTenant(database.db, owner.id);
  tenantId = tenant.id;
  const key = await createApiKey(database.db, {
    tenantSlug: tenant.slug,
    name: "cli webhook test",
    scopes: ["read", "write", "admin"],
  });
  connection = { url: api.url.replace(/\/api\/trpc$/, ""), apiKey: key.secret };
}, 120_000);

afterAll(async () => {
  worker?.kill("SIGTERM");
  if (worker && worker.exitCode === null) await new Promise((resolve) => worker.once("exit", resolve));
  await receiver?.close();
  await api?.close();
  await database?.drop();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

const client = () => createTechScanClient({ url: `${connection.url}/api/trpc`, apiKey: connection.apiKey });

describe(
  "integrations: CLI webhook commands and connection tests through the worker",
  { timeout: 120_000 },
  () => {
    it("webhook add refuses bad flags and changes nothing", async () => {
      const missing = captureIo();
      expect(await runWebhookAdd({ url: receiver.url }, connection, missing)).toBe(2);
      expect(missing.err.join("")).toMatch(/--events/);
      const unknown = captureIo();
      expect(await runWebhookAdd({ url: receiver.url, events: "scan.exploded" }, connection, unknown)).toBe(
        2,
      );
      expect(unknown.err.join("")).toMatch(/unknown event type "scan\.exploded"/);
      expect(await client().webhook.list.query()).toEqual([]);
    });

    it("webhook add prints the secret alone; events arrive signed; deliveries and list show them without it", async () => {
      const add = captureIo();
      const events = "scan.completed,report.version_created";
      expect(await runWebhookAdd({ url: receiver.url, events }, connection, add)).toBe(0);
      expect(add.out.join("")).toMatch(/^whsec_[A-Za-z0-9+/]{32}\n$/);
      const secret = add.out.join("").trim();

      // Deliveries are queued as events are written, into the job queue a started worker installed.
      await waitUntil(
        () => database.db.kysely.selectFrom("worker_heartbeats").select("worker_id").executeTakeFirst(),
        { what: "the worker to start", timeoutMs: 60_000 },
      );
      const scanId = crypto.randomUUID();
      await withServiceTx(database.db, (tx) =>
        emitEvent(tx, { type: "scan.completed", tenantId, userId: null, subject: scanId, data: { scanId } }),
      );
      const [request] = await receiver.waitForRequests(1);
      expect(JSON.parse(request!.body)).toMatchObject({ type: "scan.completed", data: { scanId } });

      const deliveries = await waitUntil(
        async () => {
          const io = captureIo();
          expect(await runWebhookDeliveries({ json: true }, connection, io)).toBe(0);
          const items = JSON.parse(io.out.join("")) as { state: string; responseStatus: number }[];
          return items[0]?.state === "succeeded" && items;
        },
        { what: "the delivery to be listed", timeoutMs: 20_000, intervalMs: 200 },
      );
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({ attempt: 1, responseStatus: 200, action: "webhook.event" });

      const list = captureIo();
      expect(await runWebhookList({}, connection, list)).toBe(0);
      expect(list.out.join("")).toContain(`••••${secret.slice(-4)}`);
      for (const output of [list.out.join(""), JSON.stringify(deliveries)])
        expect(output).not.toContain(secret.slice(6));

      // Replay through the API: a new attempt with the same webhook-id.
      const [first] = (await client().webhook.deliveries.query({})).items;
      expect(await client().integration.replay.mutate({ deliveryId: first!.id })).toEqual({ queued: true });
      const [original, replayed] = await receiver.waitForRequests(2);
      expect(replayed!.headers["webhook-id"]).toBe(original!.headers["webhook-id"]);
    });

    it("integration.test makes the worker's signed ping and answers ok, or the receiver's reason", async () => {
      const { connection: hook } = await client().integration.create.mutate({
        provider: "webhook",
        name: "Receiver",
        config: { url: receiver.url },
        credentials: {},
      });
      const good = await client().integration.test.mutate({ connectionId: hook.id });
      expect(good).toMatchObject({ ok: true, error: null });
      receiver.answer({ status: 403, body: "signature mismatch" });
      const bad = await client().integration.test.mutate({ connectionId: hook.id });
      expect(bad).toMatchObject({ ok: false, error: "HTTP 403 Forbidden: signature mismatch" });
      const status = await client().integration.status.query();
      expect(status.connections).toEqual([
        expect.objectContaining({ id: hook.id, status: "failing", lastCheckOk: false }),
      ]);
    });
  },
);
