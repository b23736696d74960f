import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { withServiceTx } from "@techscaniq/db";
import { createSecretBox } from "@techscaniq/db/secrets";
import { addTestMember } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadApiEnv } from "../env";
import { expectTrpcError, startApiTestBed, type ApiTestBed, type SignedInUser } from "../testing";

const SECRETS_KEY = "test-secrets-key-integrations-0123456789abcdef";
const env = loadApiEnv({
  ...process.env,
  TECHSCANIQ_SECRETS_KEY: SECRETS_KEY,
  TECHSCANIQ_ALLOW_PRIVATE: "0",
  TECHSCANIQ_DATA_DIR: mkdtempSync(path.join(tmpdir(), "tsiq-integrations-")),
});

const JIRA_TOKEN = "ATATT-jira-SECRET-token-material-7Kq2";
const WEBHOOK_SECRET = `whsec_${Buffer.from("integration-test-secret-24b").toString("base64")}`;

let bed: ApiTestBed;
let owner: SignedInUser;
let member: SignedInUser;
let tenant: { id: string };

beforeAll(async () => {
  bed = await startApiTestBed({ env });
  owner = await bed.signedInUser();
  member = await bed.signedInUser();
  tenant = await bed.client({ accessToken: owner.accessToken }).tenant.create.mutate({
    slug: "integrations-a",
    name: "A",
  });
  await addTestMember(bed.database.db, tenant.id, member.id, "member");
}, 120_000);
afterAll(() => bed?.close());

const as = (user: SignedInUser) => bed.client({ accessToken: user.accessToken, tenantId: tenant.id });

async function rawBody(procedure: string, input?: unknown): Promise<string> {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  const response = await fetch(`${bed.server.url}/${procedure}${query}`, {
    headers: { authorization: `Bearer ${owner.accessToken}`, "x-tenant-id": tenant.id },
  });
  return response.text();
}

describe("integrations: credentials never in any API output", () => {
  it("stores credentials sealed and shows only 'set' and the last 4, in every answer", async () => {
    const { connection, signingSecret } = await as(owner).integration.create.mutate({
      provider: "jira",
      name: "Jira",
      config: { siteUrl: "https://acme.atlassian.net", projectKey: "SEC" },
      credentials: { email: "bot@acme.example", apiToken: JIRA_TOKEN },
    });
    expect(signingSecret).toBeNull();
    expect(connection).toMatchObject({
      provider: "jira",
      config: { siteUrl: "https://acme.atlassian.net", projectKey: "SEC" },
      credentials: { set: true, last4: "7Kq2" },
      status: "untested",
    });
    const hook = await as(owner).integration.create.mutate({
      provider: "webhook",
      name: "Hook",
      config: { url: "https://hooks.acme.example/in" },
      credentials: { secret: WEBHOOK_SECRET },
    });
    const renamed = await as(owner).integration.update.mutate({
      connectionId: connection.id,
      name: "Jira Cloud",
    });

    const outputs = [
      JSON.stringify([connection, hook, renamed]),
      JSON.stringify(await as(member).integration.connections.query()),
      JSON.stringify(await as(member).integration.status.query()),
      await rawBody("integration.connections"),
      await rawBody("integration.status"),
      await rawBody("audit.list", {}),
    ];
    for (const output of outputs) {
      expect(output).not.toContain(JIRA_TOKEN);
      expect(output).not.toContain(JIRA_TOKEN.slice(0, -4));
      expect(output).not.toContain(WEBHOOK_SECRET.slice(6));
      expect(output).not.toContain("v1.");
    }
    expect(outputs[1]).toContain("Jira Cloud");

    const stored = await bed.database.db.kysely
      .selectFrom("integration_connections")
      .select(["credentials_ciphertext", "tenant_id", "id"])
      .where("id", "=", connection.id)
      .executeTakeFirstOrThrow();
    expect(stored.credentials_ciphertext).not.toContain(JIRA_TOKEN);
    const opened = createSecretBox(SECRETS_KEY).open(
      stored.credentials_ciphertext!,
      `tenant:${stored.tenant_id}:integration:${stored.id}`,
    );
    expect(JSON.parse(opened)).toEqual({ email: "bot@acme.example", apiToken: JIRA_TOKEN });
  });

  it("generates a webhook connection's secret when none is given and shows it once", async () => {
    const created = await as(owner).integration.create.mutate({
      provider: "webhook",
      name: "Generated",
      config: { url: "https://hooks.acme.example/generated" },
      credentials: {},
    });
    expect(created.signingSecret).toMatch(/^whsec_/);
    expect(created.connection.credentials.last4).toBe(created.signingSecret!.slice(-4));
    expect(JSON.stringify(await as(owner).integration.connections.query())).not.toContain(
      created.signingSecret!.slice(6),
    );
  });

  it("refuses bad settings, private addresses and non-admins with a clear error and changes nothing", async () => {
    const before = (await as(owner).integration.connections.query()).length;
    const bad = await expectTrpcError(
      as(owner).integration.create.mutate({
        provider: "jira",
        name: "Broken",
        config: { siteUrl: "not a url", projectKey: "sec" },
        credentials: { email: "bot@acme.example" },
      }),
      "BAD_REQUEST",
    );
    expect(Object.keys(bad.data?.fieldErrors ?? {}).sort()).toEqual([
      "config.projectKey",
      "config.siteUrl",
      "credentials.apiToken",
    ]);
    await expectTrpcError(
      as(owner).integration.create.mutate({
        provider: "webhook",
        name: "Internal",
        config: { url: "http://127.0.0.1:8080/hook" },
        credentials: {},
      }),
      "BAD_REQUEST",
      /private|loopback|TECHSCANIQ_ALLOW_PRIVATE/i,
    );
    await expectTrpcError(
      as(member).integration.create.mutate({
        provider: "webhook",
        name: "Mine",
        config: { url: "https://hooks.acme.example/m" },
        credentials: {},
      }),
      "FORBIDDEN",
    );
    await expectTrpcError(
      as(owner).webhook.add.mutate({
        url: "https://hooks.acme.example/x",
        eventTypes: ["scan.exploded" as never],
      }),
      "BAD_REQUEST",
      /unknown event type/,
    );
    expect((await as(owner).integration.connections.query()).length).toBe(before);
    expect(await as(owner).webhook.list.query()).toEqual([]);
  });
});

describe("integrations: webhook endpoints", () => {
  it("returns the signing secret only when made; a rotation keeps the previous one signing for 24 h", async () => {
    const added = await as(owner).webhook.add.mutate({
      url: "https://hooks.acme.example/events",
      eventTypes: ["scan.completed", "report.version_created"],
    });
    expect(added.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(added.endpoint).toMatchObject({ secret: { last4: added.secret.slice(-4) }, enabled: true });
    const listed = JSON.stringify(await as(member).webhook.list.query());
    expect(listed).not.toContain(added.secret.slice(6));

    const rotated = await as(owner).webhook.rotateSecret.mutate({ endpointId: added.endpoint.id });
    expect(rotated.secret).not.toBe(added.secret);
    const expires = Date.parse(rotated.endpoint.previousSecretExpiresAt!);
    expect(expires - Date.now()).toBeGreaterThan(23 * 3600e3);
    expect(expires - Date.now()).toBeLessThanOrEqual(24 * 3600e3);
    const stored = await bed.database.db.kysely
      .selectFrom("webhook_endpoints")
      .selectAll()
      .where("id", "=", added.endpoint.id)
      .executeTakeFirstOrThrow();
    const box = createSecretBox(SECRETS_KEY);
    const context = `tenant:${tenant.id}:webhook_endpoint:${added.endpoint.id}`;
    expect(box.open(stored.previous_secret_ciphertext!, context)).toBe(added.secret);
    expect(box.open(stored.secret_ciphertext, context)).toBe(rotated.secret);
    await expectTrpcError(
      as(member).webhook.rotateSecret.mutate({ endpointId: added.endpoint.id }),
      "FORBIDDEN",
    );
  });

  it("pages deliveries newest first with a keyset cursor", async () => {
    const { endpoint } = await as(owner).webhook.add.mutate({
      url: "https://hooks.acme.example/paged",
      eventTypes: ["scan.failed"],
    });
    await withServiceTx(bed.database.db, (tx) =>
      tx
        .insertInto("integration_deliveries")
        .values(
          [1, 2, 3].map((attempt) => ({
            tenant_id: tenant.id,
            endpoint_id: endpoint.id,
            action: "webhook.event",
            idempotency_key: `webhook:${endpoint.id}:1`,
            attempt,
            payload: JSON.stringify({ kind: "webhook", endpointId: endpoint.id, eventId: "1" }),
            state: attempt === 3 ? ("succeeded" as const) : ("failed" as const),
            response_status: attempt === 3 ? 200 : 500,
            created_at: new Date(Date.now() - (3 - attempt) * 1000),
            finished_at: new Date(),
          })),
        )
        .execute(),
    );
    const first = await as(member).webhook.deliveries.query({ endpointId: endpoint.id, limit: 2 });
    expect(first.items.map((d) => d.attempt)).toEqual([3, 2]);
    const second = await as(member).webhook.deliveries.query({
      endpointId: endpoint.id,
      limit: 2,
      cursor: first.nextCursor!,
    });
    expect(second).toMatchObject({ items: [{ attempt: 1, responseStatus: 500 }], nextCursor: null });
    const status = await as(member).integration.status.query();
    expect(status.endpoints.find((e) => e.id === endpoint.id)?.deliveries).toMatchObject({
      succeeded: 1,
      failed: 2,
      retrying: 0,
    });
    await expectTrpcError(
      as(member).integration.replay.mutate({ deliveryId: crypto.randomUUID() }),
      "NOT_FOUND",
    );
  });
});
