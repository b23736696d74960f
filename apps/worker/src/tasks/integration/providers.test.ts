import { connectionSecretContext, type IntegrationProviderName } from "@techscaniq/contracts/integrations";
import { withServiceTx } from "@techscaniq/db";
import { loadDbEnv } from "@techscaniq/db/env";
import { loadSecretBox } from "@techscaniq/db/secrets";
import {
  createTestDatabase,
  createTestTenant,
  createTestUser,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { startFakeIntegrations, type FakeIntegrations } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverOnce, type DeliverySettings } from "./deliver";
import { integrationFetch } from "./fetch";
import { INTEGRATION_REGISTRY } from "./index";
import { testConnection } from "./test-connection";

let database: TestDatabase;
let fake: FakeIntegrations;
let settings: DeliverySettings;
let tenantId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const owner = await createTestUser(database.db);
  tenantId = (await createTestTenant(database.db, owner.id)).id;
  fake = await startFakeIntegrations();
  const box = await loadSecretBox(loadDbEnv());
  settings = {
    db: database.db,
    secretBox: async () => box,
    registry: INTEGRATION_REGISTRY,
    fetch: integrationFetch("loopback", 2_000),
  };
}, 120_000);

afterAll(async () => {
  await fake?.close();
  await database?.drop();
});

/** A connection as the API stores it: config in the clear, credentials sealed to tenant and connection. */
async function createConnection(
  provider: IntegrationProviderName,
  config: Record<string, unknown>,
  credentials: Record<string, string>,
): Promise<string> {
  const id = crypto.randomUUID();
  const secret = Object.values(credentials).at(-1)!;
  const box = await settings.secretBox();
  await withServiceTx(database.db, (tx) =>
    tx
      .insertInto("integration_connections")
      .values({
        id,
        tenant_id: tenantId,
        provider,
        name: `${provider} ${id.slice(0, 8)}`,
        config: JSON.stringify(config),
        credentials_ciphertext: box.seal(JSON.stringify(credentials), connectionSecretContext(tenantId, id)),
        credentials_last4: secret.slice(-4),
      })
      .execute(),
  );
  return id;
}

describe("integrations: providers through the worker", { timeout: 120_000 }, () => {
  it("a Jira create_issue delivery files one issue, recorded without secrets, despite a 503", async () => {
    const connectionId = await createConnection(
      "jira",
      { siteUrl: fake.jira.baseUrl, projectKey: "OPS" },
      { email: fake.jira.email, apiToken: fake.jira.apiToken },
    );
    const payload = {
      kind: "action" as const,
      connectionId,
      action: "create_issue",
      input: { title: "Outdated jQuery", body: "jQuery **1.8.3** is vulnerable.", severity: "high" },
      idempotencyKey: `action:${crypto.randomUUID()}:2`,
    };
    fake.fail("jira", { match: /^POST \/rest\/api\/3\/issue$/, status: 503, body: "busy" });
    const first = await deliverOnce(settings, payload, new AbortController().signal);
    expect(first).toMatchObject({ state: "retrying", response_status: 503 });
    expect(fake.state.jiraIssues).toHaveLength(0);
    const second = await deliverOnce(settings, payload, new AbortController().signal);
    expect(second).toMatchObject({ state: "succeeded", response_status: 201, external_id: "OPS-1" });
    expect(JSON.stringify(second!.request)).not.toContain(fake.jira.apiToken);
    expect(fake.state.jiraIssues).toHaveLength(1);
    expect(fake.state.jiraIssues[0]!.fields.description).toMatchObject({ type: "doc", version: 1 });
    // After the 503 the label was searched; the retry searched again before creating.
    const jira = fake.requestsTo("jira").map((request) => `${request.method} ${request.path}`);
    expect(jira).toEqual([
      "POST /rest/api/3/issue",
      "GET /rest/api/3/search/jql",
      "GET /rest/api/3/search/jql",
      "POST /rest/api/3/issue",
    ]);
  });

  it("a GitHub 403 with x-ratelimit-remaining 0 waits until x-ratelimit-reset, not the 5 s schedule", async () => {
    const connectionId = await createConnection(
      "github",
      { repository: "acme/shop", apiUrl: fake.github.baseUrl },
      { token: fake.github.token },
    );
    const reset = Math.floor(Date.now() / 1000) + 900;
    fake.fail("github", {
      match: /^POST \/repos\/acme\/shop\/issues$/,
      status: 403,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
      body: JSON.stringify({ message: "API rate limit exceeded" }),
    });
    const attempt = await deliverOnce(
      settings,
      {
        kind: "action",
        connectionId,
        action: "create_issue",
        input: { title: "Outdated jQuery", body: "jQuery 1.8.3" },
        idempotencyKey: `action:${crypto.randomUUID()}:3`,
      },
      new AbortController().signal,
    );
    expect(attempt).toMatchObject({ state: "retrying", response_status: 403 });
    // The reset is 900 s away; the schedule alone would come back after about 5 s.
    expect(attempt!.next_retry_at!.getTime()).toBeGreaterThanOrEqual(reset * 1000 - 1000);
  });

  it("a connection test records the provider's reason for bad credentials", async () => {
    const connectionId = await createConnection(
      "slack",
      { channel: fake.slack.channel, apiUrl: fake.slack.apiUrl },
      { botToken: "xoxb-not-the-right-token" },
    );
    const result = await testConnection(
      settings,
      { connectionId, requestId: crypto.randomUUID() },
      new AbortController().signal,
    );
    expect(result).toMatchObject({ ok: false, error: "slack: invalid_auth" });
    const row = await database.db.kysely
      .selectFrom("integration_connections")
      .select(["status", "last_error"])
      .where("id", "=", connectionId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "failing", last_error: "slack: invalid_auth" });
  });
});
