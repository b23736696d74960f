import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql, withRlsTx } from "@techscaniq/db";
import { createSecretBox } from "@techscaniq/db/secrets";
import { addTestMember, claimsFor } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignOperatorAiKey } from "../domain/ai-settings/service";
import { loadApiEnv } from "../env";
import { expectTrpcError, startApiTestBed, type ApiTestBed, type SignedInUser } from "../testing";

// A data dir of this run's own (the generated secrets key lands there), and a fixed secrets key to open stored values with.
const SECRETS_KEY = "test-secrets-key-0123456789abcdef0123456789";
const env = loadApiEnv({
  ...process.env,
  TECHSCANIQ_SECRETS_KEY: SECRETS_KEY,
  TECHSCANIQ_ALLOW_PRIVATE: "0",
  TECHSCANIQ_DATA_DIR: mkdtempSync(path.join(tmpdir(), "tsiq-ai-settings-")),
});

const OPENAI_KEY = "sk-tenant-a-SECRET-material-9f3Q";

let bed: ApiTestBed;
let owner: SignedInUser;
let tenantA: { id: string };
beforeAll(async () => {
  bed = await startApiTestBed({ env });
  owner = await bed.signedInUser();
  tenantA = await bed
    .client({ accessToken: owner.accessToken })
    .tenant.create.mutate({ slug: "ai-tenant-a", name: "A" });
});
afterAll(() => bed.close());

const asOwner = () => bed.client({ accessToken: owner.accessToken, tenantId: tenantA.id });
const storedRow = () =>
  bed.database.db.kysely
    .selectFrom("tenant_ai_settings")
    .selectAll()
    .where("tenant_id", "=", tenantA.id)
    .executeTakeFirst();

async function rawTrpc(
  procedure: string,
  accessToken: string,
  tenantId: string,
  body?: unknown,
): Promise<string> {
  const headers = {
    authorization: `Bearer ${accessToken}`,
    "x-tenant-id": tenantId,
    "content-type": "application/json",
  };
  const response =
    body === undefined
      ? await fetch(`${bed.server.url}/${procedure}`, { headers })
      : await fetch(`${bed.server.url}/${procedure}`, {
          method: "POST",
          headers,
          body: JSON.stringify(body),
        });
  return response.text();
}

describe("aiSettings", () => {
  it("starts with the deployment's defaults", async () => {
    expect(await asOwner().aiSettings.get.query()).toMatchObject({
      customised: false,
      taskProviders: {},
      disabledProviders: [],
      reportTokenBudget: null,
      providers: { openai: { model: null, baseUrl: null, key: { source: "none", last4: null } } },
      canEdit: true,
    });
  });

  it("stores a key encrypted and never echoes it: not in update, get, audit, events or raw response bodies", async () => {
    const updated = await asOwner().aiSettings.update.mutate({
      providers: {
        openai: { apiKey: OPENAI_KEY, model: "gpt-4o-mini", baseUrl: "https://1.1.1.1/openai/v1/" },
      },
      taskProviders: { writeSection: ["openai", "offline"] },
      reportTokenBudget: 50_000,
    });
    expect(updated.providers.openai).toEqual({
      model: "gpt-4o-mini",
      baseUrl: "https://1.1.1.1/openai/v1",
      key: { source: "stored", last4: "9f3Q" },
    });
    expect(updated).toMatchObject({
      customised: true,
      taskProviders: { writeSection: ["openai", "offline"] },
      reportTokenBudget: 50_000,
      updatedBy: owner.id,
    });
    expect(JSON.stringify(updated)).not.toContain("SECRET");

    const body = await rawTrpc("aiSettings.get", owner.accessToken, tenantA.id);
    expect(body).toContain("9f3Q");
    expect(body).not.toContain(OPENAI_KEY);
    expect(body).not.toContain("SECRET");
    const updateBody = await rawTrpc("aiSettings.update", owner.accessToken, tenantA.id, {
      providers: { openai: { apiKey: OPENAI_KEY } },
    });
    expect(updateBody).not.toContain("SECRET");

    const row = await storedRow();
    expect(row?.openai_key_ciphertext).toMatch(/^v1\./);
    expect(row?.openai_key_ciphertext).not.toContain("SECRET");
    expect(
      createSecretBox(SECRETS_KEY).open(row!.openai_key_ciphertext!, `tenant:${tenantA.id}:ai:openai`),
    ).toBe(OPENAI_KEY);

    const audit = await asOwner().audit.list.query({ limit: 5 });
    expect(audit[0]).toMatchObject({
      action: "aiSettings.update",
      target: `tenant_ai_settings:${tenantA.id}`,
    });
    const events = await bed.database.db.kysely
      .selectFrom("events")
      .select(["type", "data"])
      .where("tenant_id", "=", tenantA.id)
      .where("type", "like", "ai_settings.%")
      .execute();
    expect(events[0]).toMatchObject({ type: "ai_settings.updated", data: { keys: { openai: "stored" } } });
    expect(JSON.stringify({ audit, events })).not.toContain("SECRET");
  });

  it("lets members and viewers read the redacted settings, but only owners and admins change them", async () => {
    const viewer = await bed.signedInUser();
    const member = await bed.signedInUser();
    await addTestMember(bed.database.db, tenantA.id, viewer.id, "viewer");
    await addTestMember(bed.database.db, tenantA.id, member.id, "member");
    const before = await storedRow();
    for (const user of [viewer, member]) {
      const client = bed.client({ accessToken: user.accessToken, tenantId: tenantA.id });
      expect(await client.aiSettings.get.query()).toMatchObject({
        canEdit: false,
        providers: { openai: { key: { source: "stored", last4: "9f3Q" } } },
      });
      expect(await rawTrpc("aiSettings.get", user.accessToken, tenantA.id)).not.toContain("SECRET");
      await expectTrpcError(client.aiSettings.update.mutate({ reportTokenBudget: 2_000 }), "FORBIDDEN");
      await expectTrpcError(client.aiSettings.clearKey.mutate({ provider: "openai" }), "FORBIDDEN");
    }
    const readKey = await asOwner().apiKey.create.mutate({ name: "reader", scopes: ["read"] });
    await expectTrpcError(
      bed.client({ apiKey: readKey.secret }).aiSettings.update.mutate({ reportTokenBudget: 2_000 }),
      "FORBIDDEN",
    );
    expect(await storedRow()).toEqual(before);
  });

  it("keeps tenant B out of tenant A's settings", async () => {
    const ownerB = await bed.signedInUser();
    const tenantB = await bed
      .client({ accessToken: ownerB.accessToken })
      .tenant.create.mutate({ slug: "ai-tenant-b", name: "B" });
    const intoA = bed.client({ accessToken: ownerB.accessToken, tenantId: tenantA.id });
    await expectTrpcError(intoA.aiSettings.get.query(), "FORBIDDEN");
    await expectTrpcError(intoA.aiSettings.update.mutate({ reportTokenBudget: 2_000 }), "FORBIDDEN");
    const own = await bed
      .client({ accessToken: ownerB.accessToken, tenantId: tenantB.id })
      .aiSettings.get.query();
    expect(own).toMatchObject({ customised: false, providers: { openai: { key: { source: "none" } } } });
  });

  it("refuses bad input naming the field and writes nothing", async () => {
    const before = await storedRow();
    const cases: [unknown, RegExp][] = [
      [
        { providers: { openai: { apiKey: "short" } } },
        /^providers\.openai\.apiKey: must be at least 8 characters/,
      ],
      [{ providers: { gemini: { apiKey: "sk-123456789" } } }, /providers\.gemini: is not a known field/],
      [
        { providers: { local: { baseUrl: "ftp://models.example/v1" } } },
        /^providers\.local\.baseUrl: must use http or https, not ftp/,
      ],
      [
        { providers: { local: { baseUrl: "http://127.0.0.1:11434/v1" } } },
        /^providers\.local\.baseUrl: blocked: 127\.0\.0\.1 is .*TECHSCANIQ_ALLOW_PRIVATE/,
      ],
      [
        { providers: { openai: { baseUrl: "http://169.254.169.254/latest" } } },
        /^providers\.openai\.baseUrl: blocked: 169\.254\.169\.254/,
      ],
      [{ reportTokenBudget: 10 }, /^reportTokenBudget: must be at least 1000 tokens/],
      [{ reportTokenBudget: 1.5 }, /^reportTokenBudget: must be a whole number of tokens/],
      [
        { taskProviders: { writeSection: ["openai", "openai"] } },
        /^taskProviders\.writeSection: must not list a provider twice/,
      ],
      [
        { taskProviders: { writeSection: ["cohere"] } },
        /^taskProviders\.writeSection\.0: must be one of openai, anthropic, local, offline/,
      ],
      [
        { taskProviders: { writeSection: ["openai"] }, disabledProviders: ["openai"] },
        /^taskProviders\.writeSection: every provider listed for this task is disabled/,
      ],
      [{}, /^input: nothing to change/],
    ];
    for (const [input, message] of cases) {
      // @ts-expect-error -- deliberately malformed input
      await expectTrpcError(asOwner().aiSettings.update.mutate(input), "BAD_REQUEST", message);
    }
    await expectTrpcError(
      asOwner().aiSettings.clearKey.mutate({ provider: "offline" as "openai" }),
      "BAD_REQUEST",
      /^provider: must be one of openai, anthropic, local/,
    );
    expect(await storedRow()).toEqual(before);
  });

  it("clears a stored key", async () => {
    const cleared = await asOwner().aiSettings.clearKey.mutate({ provider: "openai" });
    expect(cleared.providers.openai).toMatchObject({
      model: "gpt-4o-mini",
      key: { source: "none", last4: null },
    });
    expect(await storedRow()).toMatchObject({ openai_key_ciphertext: null, openai_key_last4: null });
    const events = await bed.database.db.kysely
      .selectFrom("events")
      .select("type")
      .where("tenant_id", "=", tenantA.id)
      .where("type", "=", "ai_settings.key_cleared")
      .execute();
    expect(events).toHaveLength(1);
  });

  it("refuses localhost base URLs without resolving DNS in the request", async () => {
    const refused = await expectTrpcError(
      asOwner().aiSettings.update.mutate({ providers: { local: { baseUrl: "http://localhost:8000/v1" } } }),
      "BAD_REQUEST",
    );
    expect(refused.data?.fieldErrors).toMatchObject({
      "providers.local.baseUrl": [expect.stringMatching(/^blocked: localhost is a loopback name/)],
    });
  });
});

describe("trust: any tenant admin can use another tenant's operator-provided AI key", () => {
  it("no longer lets a tenant name an environment variable, and the refusal is the same whether it exists or not", async () => {
    process.env.TECHSCANIQ_AI_KEY_OTHER_TENANT = "sk-belongs-to-another-tenant";
    const before = await storedRow();
    const messages: string[] = [];
    for (const name of ["TECHSCANIQ_AI_KEY_OTHER_TENANT", "TECHSCANIQ_AI_KEY_NO_SUCH_VARIABLE"]) {
      const error = await expectTrpcError(
        // @ts-expect-error -- the field no longer exists
        asOwner().aiSettings.update.mutate({ providers: { openai: { apiKeyEnv: name } } }),
        "BAD_REQUEST",
      );
      messages.push(error.message);
    }
    expect(messages[0]).toMatch(/^providers\.openai\.apiKeyEnv: is not a known field/);
    expect(messages[1]).toBe(messages[0]);
    expect(messages.join()).not.toMatch(/OTHER_TENANT|NO_SUCH/);
    expect(await storedRow()).toEqual(before);
  });

  it("shows a key the operator assigned as 'operator' to that tenant's members only, and keeps its material out of reach", async () => {
    const assigned = await assignOperatorAiKey(
      bed.database.db,
      {
        tenantSlug: "ai-tenant-a",
        provider: "anthropic",
        apiKey: "sk-ant-OPERATOR-key-w9Lm",
        baseUrl: "https://gateway.operator.example/anthropic/",
      },
      createSecretBox(SECRETS_KEY),
    );
    expect(assigned).toEqual({
      tenantId: tenantA.id,
      provider: "anthropic",
      last4: "w9Lm",
      baseUrl: "https://gateway.operator.example/anthropic",
    });
    const view = await asOwner().aiSettings.get.query();
    expect(view.providers.anthropic.key).toEqual({ source: "operator", last4: "w9Lm" });
    expect(await rawTrpc("aiSettings.get", owner.accessToken, tenantA.id)).not.toContain("OPERATOR");
    // Not even an owner reads the ciphertext (as PostgREST would run the query).
    await expect(
      withRlsTx(bed.database.db, claimsFor(owner.id), (tx) =>
        sql`select key_ciphertext from public.tenant_ai_operator_keys`.execute(tx),
      ),
    ).rejects.toThrow(/permission denied/);
    const ownerB = await bed.signedInUser();
    const tenantB = await bed
      .client({ accessToken: ownerB.accessToken })
      .tenant.create.mutate({ slug: "ai-tenant-c", name: "C" });
    const other = await bed
      .client({ accessToken: ownerB.accessToken, tenantId: tenantB.id })
      .aiSettings.get.query();
    expect(other.providers.anthropic.key).toEqual({ source: "none", last4: null });
    const audit = await asOwner().audit.list.query({ limit: 5 });
    expect(audit.find((entry) => entry.action === "aiSettings.assignOperatorKey")).toBeDefined();
  });

  it("refuses bad operator input and unknown tenants, changing nothing", async () => {
    const box = createSecretBox(SECRETS_KEY);
    const count = async () =>
      (await bed.database.db.kysely.selectFrom("tenant_ai_operator_keys").select("provider").execute())
        .length;
    const before = await count();
    await expect(
      assignOperatorAiKey(
        bed.database.db,
        { tenantSlug: "no-such-tenant", provider: "openai", apiKey: "sk-123456789" },
        box,
      ),
    ).rejects.toThrow(/tenant: no tenant has the slug "no-such-tenant"/);
    await expect(
      assignOperatorAiKey(
        bed.database.db,
        { tenantSlug: "ai-tenant-a", provider: "local", apiKey: "sk-123456789" },
        box,
      ),
    ).rejects.toThrow(/baseUrl: an OpenAI-compatible server needs its base URL/);
    await expect(
      assignOperatorAiKey(
        bed.database.db,
        { tenantSlug: "ai-tenant-a", provider: "openai", apiKey: "short" },
        box,
      ),
    ).rejects.toThrow(/apiKey: must be at least 8 characters/);
    expect(await count()).toBe(before);
  });
});

describe("trust: AI provider base URL is an SSRF path", () => {
  it("cannot be changed around the API's address check: the column is not writable by tenant admins directly", async () => {
    const before = await storedRow();
    await expect(
      withRlsTx(bed.database.db, claimsFor(owner.id), (tx) =>
        tx
          .updateTable("tenant_ai_settings")
          .set({ openai_base_url: "http://169.254.169.254/latest" })
          .where("tenant_id", "=", tenantA.id)
          .execute(),
      ),
    ).rejects.toThrow(/permission denied/);
    const member = await bed.signedInUser();
    await addTestMember(bed.database.db, tenantA.id, member.id, "member");
    await expect(
      withRlsTx(bed.database.db, claimsFor(member.id), (tx) =>
        sql`select private.set_tenant_ai_base_url(${tenantA.id}::uuid, 'openai', 'http://10.0.0.1/v1')`.execute(
          tx,
        ),
      ),
    ).rejects.toThrow(/only owners and admins/);
    expect(await storedRow()).toEqual(before);
  });

  it("still saves a checked public base URL through the procedure", async () => {
    const updated = await asOwner().aiSettings.update.mutate({
      providers: { local: { baseUrl: "https://1.1.1.1/llm/v1" } },
    });
    expect(updated.providers.local.baseUrl).toBe("https://1.1.1.1/llm/v1");
    expect((await storedRow())?.local_base_url).toBe("https://1.1.1.1/llm/v1");
  });
});

describe("trust: a tenant can spend the operator's AI budget without limit", () => {
  it("refuses a model off the operator's allowlist on the deployment's key, and a budget above the operator's cap", async () => {
    const before = await storedRow();
    await expectTrpcError(
      asOwner().aiSettings.update.mutate({ providers: { openai: { model: "o1-pro" } } }),
      "BAD_REQUEST",
      /^providers\.openai\.model: model "o1-pro" is not one the operator allows/,
    );
    await expectTrpcError(
      asOwner().aiSettings.update.mutate({ reportTokenBudget: 4_000_000 }),
      "BAD_REQUEST",
      /^reportTokenBudget: must be at most 200000 tokens \(the operator's cap\)/,
    );
    expect(await storedRow()).toEqual(before);
  });

  it("lets a tenant pick any model on its own key", async () => {
    const updated = await asOwner().aiSettings.update.mutate({
      providers: { openai: { model: "o1-pro", apiKey: "sk-own-key-for-o1-pro" } },
    });
    expect(updated.providers.openai).toMatchObject({
      model: "o1-pro",
      key: { source: "stored", last4: "-pro" },
    });
  });
});
