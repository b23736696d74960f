import { AgentSpec, type AgentSpecInput } from "@techscaniq/contracts/agents";
import { agentActionKey } from "@techscaniq/contracts/integrations";
import { emitEvent, sql, withRlsTx, withServiceTx } from "@techscaniq/db";
import {
  addTestMember,
  claimsFor,
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from "@techscaniq/fixtures";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadDbEnv } from "@techscaniq/db/env";
import { loadSecretBox } from "@techscaniq/db/secrets";
import { loadWorkerEnv } from "../../env";
import { createLogger } from "../../logger";
import { createPublishedAgent, eventually, runReaches, runRow, triggerRun } from "../../testing/agent";
import { createWebhookConnection, createWebhookEndpoint } from "../../testing/integration";
import { startWorker, type RunningWorker } from "../../worker";
import { runAgentTool } from "../agent/tools";
import { nextRetryDelayMs, RETRY_DELAYS_MS } from "./deliver";
import { integrationFetch } from "./fetch";
import { INTEGRATION_REGISTRY } from "./index";
import { testConnection } from "./test-connection";
import { webhookSignature } from "./webhook";

let database: TestDatabase;
let worker: RunningWorker;
let receiver: WebhookReceiver;
let tenantId: string;
let ownerId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const owner = await createTestUser(database.db);
  ownerId = owner.id;
  tenantId = (await createTestTenant(database.db, owner.id)).id;
  const env = loadWorkerEnv({
    DATABASE_URL: database.url,
    WORKER_HEALTH_PORT: "0",
    WORKER_CONCURRENCY: "2",
    WORKER_ID: `integration-test-${process.pid}`,
    // The receiver listens on 127.0.0.1: the operator's switch, as scan tests set it.
    TECHSCANIQ_ALLOW_PRIVATE: "1",
  });
  worker = await startWorker(env, { logger: createLogger("silent", env.WORKER_ID) });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await database?.drop();
});

afterEach(async () => {
  await receiver?.close();
});

/** Emits an event of the tenant as the worker would (the fan-out trigger queues the deliveries). */
async function emit(type: string, subject = crypto.randomUUID(), data: Record<string, unknown> = {}) {
  return withServiceTx(database.db, (tx) => emitEvent(tx, { type, tenantId, userId: null, subject, data }));
}

const deliveriesOf = (key: string) =>
  database.db.kysely
    .selectFrom("integration_deliveries")
    .selectAll()
    .where("idempotency_key", "=", key)
    .orderBy("attempt")
    .execute();

const headersOf = (request: ReceivedWebhook) => ({
  "webhook-id": String(request.headers["webhook-id"]),
  "webhook-timestamp": String(request.headers["webhook-timestamp"]),
  "webhook-signature": String(request.headers["webhook-signature"]),
});

const jobsWithKey = async (key: string) =>
  (
    await sql<{ run_at: Date }>`select run_at from graphile_worker.jobs where key = ${key}`.execute(
      database.db.kysely,
    )
  ).rows;

describe("integrations: webhook signature (Standard Webhooks)", { timeout: 120_000 }, () => {
  it("is verified by the standardwebhooks package; a one-byte change and a 6-minute-old timestamp are refused", async () => {
    receiver = await startWebhookReceiver();
    const endpoint = await createWebhookEndpoint(database.db, tenantId, receiver.url, ["scan.completed"]);
    await emit("scan.queued"); // not subscribed: nothing is sent for it
    const scanId = crypto.randomUUID();
    const event = await emit("scan.completed", scanId, { scanId, status: "succeeded" });
    const [request] = await receiver.waitForRequests(1);

    const verified = new Webhook(endpoint.secret).verify(request!.body, headersOf(request!));
    expect(verified).toMatchObject({ type: "scan.completed", data: { scanId, subject: scanId } });

    const tampered = request!.body.replace(
      scanId,
      `${scanId.slice(0, -1)}${scanId.endsWith("0") ? "1" : "0"}`,
    );
    expect(tampered.length).toBe(request!.body.length);
    expect(() => new Webhook(endpoint.secret).verify(tampered, headersOf(request!))).toThrow(
      WebhookVerificationError,
    );
    const id = headersOf(request!)["webhook-id"];
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const staleHeaders = {
      "webhook-id": id,
      "webhook-timestamp": String(stale),
      "webhook-signature": webhookSignature(endpoint.secret, id, stale, request!.body),
    };
    expect(() => new Webhook(endpoint.secret).verify(request!.body, staleHeaders)).toThrow(
      WebhookVerificationError,
    );

    const key = `webhook:${endpoint.id}:${event.id}`;
    const [delivery] = await eventually(
      async () => {
        const rows = await deliveriesOf(key);
        return rows[0]?.state === "succeeded" && rows;
      },
      "the delivery to be recorded",
      20_000,
    );
    expect(delivery).toMatchObject({ attempt: 1, response_status: 200, action: "webhook.event" });
    expect((delivery!.request as { headers: Record<string, string> }).headers["webhook-id"]).toBe(id);
    expect(JSON.stringify(delivery)).not.toContain("webhook-signature");
    expect(JSON.stringify(delivery)).not.toContain(endpoint.secret.slice(6));
    expect(receiver.requests).toHaveLength(1);
  });

  it("signs with the previous secret too while it is within its 24 h after a rotation", async () => {
    receiver = await startWebhookReceiver();
    const old = await createWebhookEndpoint(database.db, tenantId, receiver.url, ["scan.failed"]);
    const rotated = await createWebhookEndpoint(database.db, tenantId, receiver.url, ["report.failed"]);
    const box = await loadSecretBox(loadDbEnv());
    // The old endpoint's secret becomes the previous one of `rotated` (re-sealed for it), as a rotation leaves it.
    await withServiceTx(database.db, (tx) =>
      tx
        .updateTable("webhook_endpoints")
        .set({
          previous_secret_ciphertext: box.seal(
            old.secret,
            `tenant:${tenantId}:webhook_endpoint:${rotated.id}`,
          ),
          previous_secret_expires_at: new Date(Date.now() + 24 * 3600e3),
        })
        .where("id", "=", rotated.id)
        .execute(),
    );
    await emit("report.failed");
    const [request] = await receiver.waitForRequests(1);
    expect(headersOf(request!)["webhook-signature"].split(" ")).toHaveLength(2);
    expect(new Webhook(rotated.secret).verify(request!.body, headersOf(request!))).toBeTruthy();
    expect(new Webhook(old.secret).verify(request!.body, headersOf(request!))).toBeTruthy();
  });
});

describe("integrations: webhook retries", { timeout: 120_000 }, () => {
  it("follows the Standard Webhooks schedule with jitter and honours Retry-After", () => {
    const low = () => 0;
    const high = () => 0.999_999;
    RETRY_DELAYS_MS.forEach((delay, index) => {
      expect(nextRetryDelayMs(index + 1, {}, low)).toBe(Math.round(delay * 0.9));
      expect(nextRetryDelayMs(index + 1, {}, high)).toBeLessThanOrEqual(Math.round(delay * 1.1));
    });
    expect(RETRY_DELAYS_MS).toEqual([
      5e3,
      5 * 60e3,
      30 * 60e3,
      2 * 3600e3,
      5 * 3600e3,
      10 * 3600e3,
      10 * 3600e3,
    ]);
    expect(nextRetryDelayMs(RETRY_DELAYS_MS.length + 1, {})).toBeNull();
    // A wait the provider asks for (Retry-After, GitHub's rate-limit reset on a 403) outlasts the schedule.
    expect(nextRetryDelayMs(1, { retryAfterMs: 120_000 })).toBeGreaterThanOrEqual(120_000);
    expect(nextRetryDelayMs(1, {}, low)).toBe(4500);
  });

  it("429 delays the next attempt by at least Retry-After", async () => {
    receiver = await startWebhookReceiver();
    receiver.answer({ status: 429, headers: { "retry-after": "120" } });
    const endpoint = await createWebhookEndpoint(database.db, tenantId, receiver.url, ["agent_run.failed"]);
    const event = await emit("agent_run.failed");
    const key = `webhook:${endpoint.id}:${event.id}`;
    const [attempt] = await eventually(
      async () => {
        const rows = await deliveriesOf(key);
        return rows[0]?.state === "retrying" && rows;
      },
      "the 429 to be recorded",
      20_000,
    );
    expect(attempt!.response_status).toBe(429);
    expect(attempt!.next_retry_at!.getTime() - attempt!.finished_at!.getTime()).toBeGreaterThanOrEqual(
      120_000,
    );
    const [job] = await jobsWithKey(key);
    expect(job!.run_at.getTime()).toBe(attempt!.next_retry_at!.getTime());
  });

  it("a plain 500's Retry-After is not taken: only rate limiters and gateways promise one", async () => {
    receiver = await startWebhookReceiver();
    receiver.answer({ status: 500, headers: { "retry-after": "120" } });
    const endpoint = await createWebhookEndpoint(database.db, tenantId, receiver.url, ["agent_run.failed"]);
    const event = await emit("agent_run.failed");
    const [attempt] = await eventually(
      async () => {
        const rows = await deliveriesOf(`webhook:${endpoint.id}:${event.id}`);
        return rows[0]?.state === "retrying" && rows;
      },
      "the 500 to be recorded",
      20_000,
    );
    expect(attempt!.response_status).toBe(500);
    expect(attempt!.next_retry_at!.getTime() - attempt!.finished_at!.getTime()).toBeLessThan(10_000);
  });

  it("a failed attempt (a 3xx counts as one) is retried with the same webhook-id", async () => {
    receiver = await startWebhookReceiver();
    receiver.answer({ status: 302, headers: { location: "http://127.0.0.1:9/elsewhere" } });
    const endpoint = await createWebhookEndpoint(database.db, tenantId, receiver.url, [
      "agent_run.cancelled",
    ]);
    const event = await emit("agent_run.cancelled");
    // The schedule's second attempt comes 5 s (± 10 %) after the first.
    const [first, second] = await receiver.waitForRequests(2, 30_000);
    expect(headersOf(second!)["webhook-id"]).toBe(headersOf(first!)["webhook-id"]);
    expect(new Webhook(endpoint.secret).verify(second!.body, headersOf(second!))).toBeTruthy();
    const rows = await eventually(
      async () => {
        const all = await deliveriesOf(`webhook:${endpoint.id}:${event.id}`);
        return all[1]?.state === "succeeded" && all;
      },
      "the second attempt to be recorded",
      20_000,
    );
    expect(rows.map((row) => [row.attempt, row.state])).toEqual([
      [1, "retrying"],
      [2, "succeeded"],
    ]);
    expect(rows[0]!.error).toMatch(/redirect/);
  });

  it("410 disables the endpoint, raises webhook.endpoint_disabled and queues nothing more for it", async () => {
    receiver = await startWebhookReceiver();
    receiver.answer({ status: 410, body: "gone" });
    const endpoint = await createWebhookEndpoint(database.db, tenantId, receiver.url, ["scan.cancelled"]);
    const event = await emit("scan.cancelled");
    const row = await eventually(
      () =>
        database.db.kysely
          .selectFrom("webhook_endpoints")
          .selectAll()
          .where("id", "=", endpoint.id)
          .where("enabled", "=", false)
          .executeTakeFirst(),
      "the endpoint to be disabled",
      20_000,
    );
    expect(row.disabled_reason).toMatch(/410/);
    const [delivery] = await deliveriesOf(`webhook:${endpoint.id}:${event.id}`);
    expect(delivery).toMatchObject({ state: "failed", response_status: 410, next_retry_at: null });
    const alerts = await database.db.kysely
      .selectFrom("events")
      .select(["subject", "data"])
      .where("type", "=", "webhook.endpoint_disabled")
      .where("subject", "=", endpoint.id)
      .execute();
    expect(alerts).toHaveLength(1);
    const later = await emit("scan.cancelled");
    expect(await jobsWithKey(`webhook:${endpoint.id}:${later.id}`)).toEqual([]);
  });
});

describe("integrations: replay", { timeout: 120_000 }, () => {
  it("sends a new attempt with the same webhook-id; viewers may not replay", async () => {
    receiver = await startWebhookReceiver();
    const endpoint = await createWebhookEndpoint(database.db, tenantId, receiver.url, [
      "agent_run.succeeded",
    ]);
    const event = await emit("agent_run.succeeded");
    const key = `webhook:${endpoint.id}:${event.id}`;
    const [first] = await eventually(
      async () => {
        const rows = await deliveriesOf(key);
        return rows[0]?.state === "succeeded" && rows;
      },
      "the first delivery",
      20_000,
    );
    const viewer = await createTestUser(database.db);
    await addTestMember(database.db, tenantId, viewer.id, "viewer");
    const replay = (userId: string) =>
      withRlsTx(
        database.db,
        claimsFor(userId),
        (tx) => sql`select private.replay_integration_delivery(${first!.id}::uuid)`.execute(tx),
        { tenantId },
      );
    await expect(replay(viewer.id)).rejects.toMatchObject({ code: "42501" });
    await replay(ownerId);
    const [original, replayed] = await receiver.waitForRequests(2);
    expect(headersOf(replayed!)["webhook-id"]).toBe(headersOf(original!)["webhook-id"]);
    const rows = await eventually(
      async () => {
        const all = await deliveriesOf(key);
        return all[1]?.state === "succeeded" && all;
      },
      "the replay to be recorded",
      20_000,
    );
    expect(rows[1]).toMatchObject({ attempt: 2, requested_by: ownerId });
  });
});

describe("integrations: agent actions", { timeout: 180_000 }, () => {
  const ACTOR: AgentSpecInput = {
    instructions: "Tell the receiver.",
    inputSchema: { type: "object", properties: {} },
    tools: ["propose_action"],
    outputs: { actions: ["webhook.post"] },
    autonomy: "act",
    plan: [
      { tool: "propose_action", input: { action: "webhook.post", title: "Review", body: "Weekly *review*" } },
    ],
  };

  it("the job key prevents a double send when the agent step is retried", async () => {
    receiver = await startWebhookReceiver();
    const connection = await createWebhookConnection(database.db, tenantId, receiver.url);
    const member = { tenantId, userId: ownerId };
    const agentId = await createPublishedAgent(database.db, member, ACTOR);
    const runId = await triggerRun(database.db, member, agentId, {});
    const run = await runReaches(database.db, runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    expect((run.output as { actions: { state: string }[] }).actions[0]!.state).toBe("queued");
    const [request] = await receiver.waitForRequests(1);
    expect(new Webhook(connection.secret).verify(request!.body, headersOf(request!))).toMatchObject({
      type: "action.proposed",
      data: { title: "Review", body: "Weekly *review*" },
    });
    const key = agentActionKey(runId, 1);
    await eventually(async () => (await deliveriesOf(key))[0]?.state === "succeeded", "the delivery", 20_000);

    // The step runs again (a worker died after the tool call, before the step was recorded).
    const again = await runAgentTool("propose_action", ACTOR.plan![0]!.input, {
      db: database.db,
      run: await runRow(database.db, runId),
      spec: AgentSpec.parse(ACTOR),
      seq: 1,
      saved: null,
      allowPrivate: true,
      startedAt: new Date(),
      waitMs: 1000,
    });
    expect(again.output).toMatchObject({ state: "queued" });
    await eventually(async () => (await jobsWithKey(key)).length === 0, "the re-queued job to run", 20_000);
    expect(receiver.requests).toHaveLength(1);
    expect(await deliveriesOf(key)).toHaveLength(1);
  });

  it("tests a connection with a signed ping: ok, and the receiver's refusal as the reason", async () => {
    receiver = await startWebhookReceiver();
    const connection = await createWebhookConnection(database.db, tenantId, receiver.url, "pinged");
    const settings = {
      db: database.db,
      secretBox: () => loadSecretBox(loadDbEnv()),
      registry: INTEGRATION_REGISTRY,
      fetch: integrationFetch(true),
    };
    const signal = new AbortController().signal;
    const good = await testConnection(
      settings,
      { connectionId: connection.id, requestId: crypto.randomUUID() },
      signal,
    );
    expect(good).toMatchObject({ ok: true, error: null });
    const [ping] = await receiver.waitForRequests(1);
    expect(new Webhook(connection.secret).verify(ping!.body, headersOf(ping!))).toMatchObject({
      type: "webhook.ping",
    });

    receiver.answer({ status: 401, body: "bad signature" });
    const requestId = crypto.randomUUID();
    const bad = await testConnection(settings, { connectionId: connection.id, requestId }, signal);
    expect(bad).toMatchObject({ ok: false, error: "HTTP 401 Unauthorized: bad signature" });
    const row = await database.db.kysely
      .selectFrom("integration_connections")
      .selectAll()
      .where("id", "=", connection.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: "failing",
      last_check_ok: false,
      last_error: "HTTP 401 Unauthorized: bad signature",
    });
    const answered = await database.db.kysely
      .selectFrom("events")
      .select("data")
      .where("type", "=", "integration.connection_tested")
      .where("subject", "=", requestId)
      .executeTakeFirstOrThrow();
    expect(answered.data).toMatchObject({ ok: false, connectionId: connection.id });
    expect(JSON.stringify(answered.data)).not.toContain(connection.secret.slice(6));
  });
});
