import { addTestMember, createTestTenant, createTestUser } from "@techscaniq/db/testing";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUTHENTICATED_AUDIENCE, LOCAL_ISSUER, type LocalAuthConfig } from "./auth/config";
import { createApiKey } from "./domain/api-keys";
import { expectTrpcError, startApiTestBed, type ApiTestBed } from "./testing";
import type { TechScanClientOptions } from "./client";

/**
 * Every tenant-scoped procedure × every kind of caller, over HTTP through the
 * typed client. Each cell states the outcome (ok or the error code) and
 * whether tenant A's data was seen or changed; mutations get fresh targets
 * per cell and their effect is checked in the database afterwards.
 */

let bed: ApiTestBed;
let tenantA: { id: string; slug: string };
let tenantB: { id: string; slug: string };
let ownerAId: string;
let adminKeyAId: string;
let callers: Record<CallerName, Omit<TechScanClientOptions, "url">>;

type CallerName =
  | "owner of A"
  | "viewer of A, writing"
  | "admin API key of A"
  | "member of B, naming tenant A"
  | "admin of B, naming A's rows"
  | "anonymous"
  | "forged JWT (wrong secret)"
  | "expired JWT"
  | "revoked API key of A";

type Client = ReturnType<ApiTestBed["client"]>;

interface ProcedureCase<Input, Output> {
  kind: "query" | "mutation";
  /** A fresh target in tenant A for this cell. */
  prepare(): Promise<Input>;
  call(client: Client, input: Input): Promise<Output>;
  /** Did the call see (queries) or change (mutations) tenant A's data? */
  touchedA(input: Input, output: Output | undefined): Promise<boolean>;
}

const db = () => bed.database.db.kysely;
const uniqueName = () => `name-${crypto.randomUUID().slice(0, 8)}`;

async function freshMemberOfA(): Promise<string> {
  const user = await createTestUser(bed.database.db);
  await addTestMember(bed.database.db, tenantA.id, user.id, "member");
  return user.id;
}

async function freshInvitationOfA(): Promise<string> {
  const row = await db()
    .insertInto("invitations")
    .values({ tenant_id: tenantA.id, email: `${uniqueName()}@example.com`, role: "member" })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

const procedures = {
  "tenant.get": {
    kind: "query",
    prepare: async () => undefined,
    call: (client) => client.tenant.get.query(),
    touchedA: async (_input, output) => output?.id === tenantA.id,
  } satisfies ProcedureCase<undefined, { id: string }>,
  "tenant.update": {
    kind: "mutation",
    prepare: async () => ({ name: uniqueName() }),
    call: (client, input) => client.tenant.update.mutate(input),
    touchedA: async (input) =>
      (await db().selectFrom("tenants").select("name").where("id", "=", tenantA.id).executeTakeFirstOrThrow())
        .name === input.name,
  } satisfies ProcedureCase<{ name: string }, unknown>,
  "tenant.members.list": {
    kind: "query",
    prepare: async () => undefined,
    call: (client) => client.tenant.members.list.query(),
    touchedA: async (_input, output) => output?.some((member) => member.userId === ownerAId) ?? false,
  } satisfies ProcedureCase<undefined, { userId: string }[]>,
  "tenant.members.invite": {
    kind: "mutation",
    prepare: async () => ({ email: (await createTestUser(bed.database.db)).email, role: "member" as const }),
    call: (client, input) => client.tenant.members.invite.mutate(input),
    touchedA: async (input) =>
      (await db()
        .selectFrom("invitations")
        .select("id")
        .where("tenant_id", "=", tenantA.id)
        .where("email", "=", input.email)
        .executeTakeFirst()) !== undefined,
  } satisfies ProcedureCase<{ email: string; role: "member" }, unknown>,
  "tenant.invitations.list": {
    kind: "query",
    prepare: async () => undefined,
    call: (client) => client.tenant.invitations.list.query(),
    touchedA: async (_input, output) => {
      const invitationsOfA = await db()
        .selectFrom("invitations")
        .select("id")
        .where("tenant_id", "=", tenantA.id)
        .execute();
      return output?.some((open) => invitationsOfA.some((row) => row.id === open.id)) ?? false;
    },
  } satisfies ProcedureCase<undefined, { id: string }[]>,
  "tenant.invitations.revoke": {
    kind: "mutation",
    prepare: async () => ({ invitationId: await freshInvitationOfA() }),
    call: (client, input) => client.tenant.invitations.revoke.mutate(input),
    touchedA: async (input) =>
      (
        await db()
          .selectFrom("invitations")
          .select("revoked_at")
          .where("id", "=", input.invitationId)
          .executeTakeFirstOrThrow()
      ).revoked_at !== null,
  } satisfies ProcedureCase<{ invitationId: string }, unknown>,
  "tenant.members.changeRole": {
    kind: "mutation",
    prepare: async () => ({ userId: await freshMemberOfA(), role: "viewer" as const }),
    call: (client, input) => client.tenant.members.changeRole.mutate(input),
    touchedA: async (input) =>
      (
        await db()
          .selectFrom("memberships")
          .select("role")
          .where("tenant_id", "=", tenantA.id)
          .where("user_id", "=", input.userId)
          .executeTakeFirstOrThrow()
      ).role === "viewer",
  } satisfies ProcedureCase<{ userId: string; role: "viewer" }, unknown>,
  "tenant.members.remove": {
    kind: "mutation",
    prepare: async () => ({ userId: await freshMemberOfA() }),
    call: (client, input) => client.tenant.members.remove.mutate(input),
    touchedA: async (input) =>
      (await db()
        .selectFrom("memberships")
        .select("id")
        .where("tenant_id", "=", tenantA.id)
        .where("user_id", "=", input.userId)
        .executeTakeFirst()) === undefined,
  } satisfies ProcedureCase<{ userId: string }, unknown>,
  "apiKey.create": {
    kind: "mutation",
    prepare: async () => ({ name: uniqueName(), scopes: ["read" as const] }),
    call: (client, input) => client.apiKey.create.mutate(input),
    touchedA: async (input) =>
      (await db()
        .selectFrom("api_keys")
        .select("id")
        .where("tenant_id", "=", tenantA.id)
        .where("name", "=", input.name)
        .executeTakeFirst()) !== undefined,
  } satisfies ProcedureCase<{ name: string; scopes: "read"[] }, unknown>,
  "apiKey.list": {
    kind: "query",
    prepare: async () => undefined,
    call: (client) => client.apiKey.list.query(),
    touchedA: async (_input, output) => {
      const keysOfA = await db()
        .selectFrom("api_keys")
        .select("id")
        .where("tenant_id", "=", tenantA.id)
        .execute();
      return output?.some((key) => keysOfA.some((row) => row.id === key.id)) ?? false;
    },
  } satisfies ProcedureCase<undefined, { id: string }[]>,
  "apiKey.revoke": {
    kind: "mutation",
    prepare: async () => ({
      apiKeyId: (await createApiKey(bed.database.db, { tenantSlug: tenantA.slug, name: uniqueName() })).apiKey
        .id,
    }),
    call: (client, input) => client.apiKey.revoke.mutate(input),
    touchedA: async (input) =>
      (
        await db()
          .selectFrom("api_keys")
          .select("revoked_at")
          .where("id", "=", input.apiKeyId)
          .executeTakeFirstOrThrow()
      ).revoked_at !== null,
  } satisfies ProcedureCase<{ apiKeyId: string }, unknown>,
  "audit.list": {
    kind: "query",
    prepare: async () => undefined,
    call: (client) => client.audit.list.query(),
    touchedA: async (_input, output) => {
      const entriesOfA = await db()
        .selectFrom("audit_log")
        .select("id")
        .where("tenant_id", "=", tenantA.id)
        .execute();
      return output?.some((entry) => entriesOfA.some((row) => row.id === entry.id)) ?? false;
    },
  } satisfies ProcedureCase<undefined, { id: string }[]>,
};

type ProcedureName = keyof typeof procedures;
/** "ok": succeeds and reaches A's data; "ok, not A": succeeds but only in the caller's own tenant. */
type Outcome = "ok" | "ok, not A" | "FORBIDDEN" | "UNAUTHORIZED" | "NOT_FOUND";

const every = (outcome: Outcome): Record<ProcedureName, Outcome> =>
  Object.fromEntries(Object.keys(procedures).map((name) => [name, outcome])) as Record<
    ProcedureName,
    Outcome
  >;

const expected: Record<CallerName, Record<ProcedureName, Outcome>> = {
  "owner of A": every("ok"),
  "viewer of A, writing": {
    ...every("FORBIDDEN"),
    "tenant.get": "ok",
    "tenant.members.list": "ok",
  },
  "admin API key of A": {
    ...every("ok"),
    "apiKey.create": "FORBIDDEN",
    "apiKey.list": "FORBIDDEN",
    "apiKey.revoke": "FORBIDDEN",
  },
  "member of B, naming tenant A": every("FORBIDDEN"),
  "admin of B, naming A's rows": {
    ...every("ok, not A"),
    "tenant.members.changeRole": "NOT_FOUND",
    "tenant.members.remove": "NOT_FOUND",
    "tenant.invitations.revoke": "NOT_FOUND",
    "apiKey.revoke": "NOT_FOUND",
  },
  anonymous: every("UNAUTHORIZED"),
  "forged JWT (wrong secret)": every("UNAUTHORIZED"),
  "expired JWT": every("UNAUTHORIZED"),
  "revoked API key of A": every("UNAUTHORIZED"),
};

beforeAll(async () => {
  bed = await startApiTestBed();
  const ownerA = await bed.signedInUser();
  ownerAId = ownerA.id;
  tenantA = await createTestTenant(bed.database.db, ownerA.id);
  const viewerA = await bed.signedInUser();
  await addTestMember(bed.database.db, tenantA.id, viewerA.id, "viewer");
  const ownerB = await bed.signedInUser();
  tenantB = await createTestTenant(bed.database.db, ownerB.id);

  const ownerAClient = bed.client({ accessToken: ownerA.accessToken, tenantId: tenantA.id });
  const adminKey = await ownerAClient.apiKey.create.mutate({ name: "matrix admin", scopes: ["admin"] });
  adminKeyAId = adminKey.apiKey.id;
  const revokedKey = await ownerAClient.apiKey.create.mutate({ name: "matrix revoked", scopes: ["admin"] });
  await ownerAClient.apiKey.revoke.mutate({ apiKeyId: revokedKey.apiKey.id });
  // Give B a key and an audit entry of its own, so B's lists are not trivially empty.
  await bed
    .client({ accessToken: ownerB.accessToken, tenantId: tenantB.id })
    .apiKey.create.mutate({ name: "b key", scopes: ["read"] });

  const ownerAClaims = JSON.parse(Buffer.from(ownerA.accessToken.split(".")[1]!, "base64url").toString()) as {
    session_id: string;
  };
  const signAsOwnerA = (secret: Uint8Array, expiresAt: number) =>
    new SignJWT({ role: "authenticated", session_id: ownerAClaims.session_id })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(ownerA.id)
      .setAudience(AUTHENTICATED_AUDIENCE)
      .setIssuer(LOCAL_ISSUER)
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(secret);
  const now = Math.floor(Date.now() / 1000);

  callers = {
    "owner of A": { accessToken: ownerA.accessToken, tenantId: tenantA.id },
    "viewer of A, writing": { accessToken: viewerA.accessToken, tenantId: tenantA.id },
    "admin API key of A": { apiKey: adminKey.secret },
    "member of B, naming tenant A": { accessToken: ownerB.accessToken, tenantId: tenantA.id },
    "admin of B, naming A's rows": { accessToken: ownerB.accessToken, tenantId: tenantB.id },
    anonymous: { tenantId: tenantA.id },
    "forged JWT (wrong secret)": {
      accessToken: await signAsOwnerA(
        new TextEncoder().encode("an attacker's secret of sufficient length"),
        now + 600,
      ),
      tenantId: tenantA.id,
    },
    "expired JWT": {
      accessToken: await signAsOwnerA((bed.auth as LocalAuthConfig).jwtSecret, now - 5),
      tenantId: tenantA.id,
    },
    "revoked API key of A": { apiKey: revokedKey.secret },
  };
});

afterAll(() => bed.close());

const cells = (Object.keys(expected) as CallerName[]).flatMap((caller) =>
  (Object.keys(procedures) as ProcedureName[]).map((procedure) => ({
    caller,
    procedure,
    outcome: expected[caller][procedure],
  })),
);

describe("RLS matrix through tRPC over HTTP", () => {
  it.each(cells)("$caller × $procedure → $outcome", async ({ caller, procedure, outcome }) => {
    const spec = procedures[procedure] as ProcedureCase<unknown, unknown>;
    const input = await spec.prepare();
    const client = bed.client(callers[caller]);
    let output: unknown;
    if (outcome === "ok" || outcome === "ok, not A") {
      output = await spec.call(client, input);
    } else {
      await expectTrpcError(spec.call(client, input), outcome);
    }
    expect(await spec.touchedA(input, output)).toBe(outcome === "ok");
  });

  it("covers every tenant-scoped procedure of the tenant, apiKey and audit routers", async () => {
    const { appRouter } = await import("./router");
    // The user-scoped ones act on the caller's own account (tested in routers/tenant.test.ts).
    const userScoped = [
      "tenant.listMine",
      "tenant.create",
      "tenant.switch",
      "tenant.invitations.mine",
      "tenant.invitations.accept",
      "tenant.invitations.decline",
    ];
    const tenantScoped = Object.keys(appRouter._def.procedures).filter(
      (path) => /^(tenant|apiKey|audit)\./.test(path) && !userScoped.includes(path),
    );
    expect(tenantScoped.sort()).toEqual(Object.keys(procedures).sort());
  });
});

describe("trust: tenant boundary 5 — audit entries and events name the caller who made the change", () => {
  const newest = async (table: "audit_log" | "events") =>
    table === "audit_log"
      ? await db()
          .selectFrom("audit_log")
          .select(["id", "actor_user_id", "actor_api_key_id", "action"])
          .where("tenant_id", "=", tenantA.id)
          .orderBy("id", "desc")
          .executeTakeFirstOrThrow()
      : await db()
          .selectFrom("events")
          .select(["id", "user_id", "type"])
          .where("tenant_id", "=", tenantA.id)
          .orderBy("id", "desc")
          .executeTakeFirstOrThrow();

  it("takes the actor from the claims (user or API key) and writes nothing for a refused viewer", async () => {
    await bed.client(callers["owner of A"]).tenant.update.mutate({ name: uniqueName() });
    expect(await newest("audit_log")).toMatchObject({
      actor_user_id: ownerAId,
      actor_api_key_id: null,
      action: "tenant.update",
    });
    expect(await newest("events")).toMatchObject({ user_id: ownerAId, type: "tenant.updated" });

    await bed.client(callers["admin API key of A"]).tenant.update.mutate({ name: uniqueName() });
    expect(await newest("audit_log")).toMatchObject({ actor_user_id: null, actor_api_key_id: adminKeyAId });

    const before = [(await newest("audit_log")).id, (await newest("events")).id];
    await expectTrpcError(
      bed.client(callers["viewer of A, writing"]).tenant.update.mutate({ name: uniqueName() }),
      "FORBIDDEN",
    );
    expect([(await newest("audit_log")).id, (await newest("events")).id]).toEqual(before);
  });
});
