import { createTestTenant } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, startApiTestBed, type ApiTestBed } from "./testing";

/**
 * Bad input on every procedure: BAD_REQUEST, a message naming the field,
 * `data.fieldErrors` keyed by it, and not one row written anywhere.
 */

let bed: ApiTestBed;
let client: ReturnType<ApiTestBed["client"]>;
let tenantId: string;
let ownerToken: string;

beforeAll(async () => {
  bed = await startApiTestBed();
  const owner = await bed.signedInUser();
  ownerToken = owner.accessToken;
  tenantId = (await createTestTenant(bed.database.db, owner.id)).id;
  client = bed.client({ accessToken: owner.accessToken, tenantId });
});
afterAll(() => bed.close());

const countedTables = [
  "auth.users",
  "sessions",
  "tenants",
  "memberships",
  "invitations",
  "api_keys",
  "events",
  "audit_log",
] as const;

async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of countedTables) {
    const row = await bed.database.db.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

type Call = () => Promise<unknown>;
// Inputs the types forbid are exactly what a hand-written HTTP call could send.
const untyped = <T>(value: unknown) => value as T;
const unknownField = untyped<never>({ bogus: 1 });
const yesterday = new Date(Date.now() - 86_400_000).toISOString();

const cases: { procedure: string; call: Call; field: string; message?: RegExp }[] = [
  {
    procedure: "auth.signUp",
    call: () => client.auth.signUp.mutate({ email: "not-an-email", password: "long enough" }),
    field: "email",
    message: /^email: must be an e-mail address/,
  },
  {
    procedure: "auth.signUp",
    call: () => client.auth.signUp.mutate({ email: "short@example.com", password: "short" }),
    field: "password",
    message: /^password: must be at least 8 characters/,
  },
  {
    procedure: "auth.signUp",
    call: () =>
      client.auth.signUp.mutate(untyped({ email: "x@example.com", password: "long enough", admin: true })),
    field: "admin",
    message: /^admin: is not a known field/,
  },
  {
    procedure: "auth.signIn",
    call: () => client.auth.signIn.mutate(untyped({ email: "x@example.com" })),
    field: "password",
  },
  {
    procedure: "auth.refresh",
    call: () => client.auth.refresh.mutate({ refreshToken: "" }),
    field: "refreshToken",
  },
  { procedure: "auth.signOut", call: () => client.auth.signOut.mutate(unknownField), field: "bogus" },
  { procedure: "auth.me", call: () => client.auth.me.query(unknownField), field: "bogus" },
  { procedure: "tenant.listMine", call: () => client.tenant.listMine.query(unknownField), field: "bogus" },
  {
    procedure: "tenant.create",
    call: () => client.tenant.create.mutate({ slug: "Bad Slug!", name: "Fine" }),
    field: "slug",
    message: /^slug: must be 3–40 lowercase letters, digits or dashes/,
  },
  {
    procedure: "tenant.create",
    call: () => client.tenant.create.mutate({ slug: "fine-slug", name: "   " }),
    field: "name",
    message: /^name: must not be empty/,
  },
  { procedure: "tenant.get", call: () => client.tenant.get.query(unknownField), field: "bogus" },
  {
    procedure: "tenant.get",
    call: () => bed.client({ accessToken: ownerToken, tenantId: "not-a-uuid" }).tenant.get.query(),
    field: "x-tenant-id",
  },
  {
    procedure: "tenant.update",
    call: () => client.tenant.update.mutate({ name: "x".repeat(201) }),
    field: "name",
    message: /^name: must be at most 200 characters/,
  },
  {
    procedure: "tenant.switch",
    call: () => client.tenant.switch.mutate({ tenantId: "tenant-a" }),
    field: "tenantId",
    message: /^tenantId: must be a tenant id \(uuid\)/,
  },
  {
    procedure: "tenant.members.list",
    call: () => client.tenant.members.list.query(unknownField),
    field: "bogus",
  },
  {
    procedure: "tenant.members.invite",
    call: () => client.tenant.members.invite.mutate({ email: "nobody", role: "member" }),
    field: "email",
  },
  {
    procedure: "tenant.members.invite",
    call: () => client.tenant.members.invite.mutate(untyped({ email: "a@example.com", role: "emperor" })),
    field: "role",
  },
  {
    procedure: "tenant.invitations.list",
    call: () => client.tenant.invitations.list.query(unknownField),
    field: "bogus",
  },
  {
    procedure: "tenant.invitations.revoke",
    call: () => client.tenant.invitations.revoke.mutate({ invitationId: "42" }),
    field: "invitationId",
    message: /^invitationId: must be an invitation id \(uuid\)/,
  },
  {
    procedure: "tenant.invitations.mine",
    call: () => client.tenant.invitations.mine.query(unknownField),
    field: "bogus",
  },
  {
    procedure: "tenant.invitations.accept",
    call: () => client.tenant.invitations.accept.mutate(untyped({ invitationId: 42 })),
    field: "invitationId",
  },
  {
    procedure: "tenant.invitations.decline",
    call: () => client.tenant.invitations.decline.mutate({ invitationId: "an invitation" }),
    field: "invitationId",
    message: /^invitationId: must be an invitation id \(uuid\)/,
  },
  {
    procedure: "tenant.members.changeRole",
    call: () => client.tenant.members.changeRole.mutate({ userId: "42", role: "viewer" }),
    field: "userId",
    message: /^userId: must be a user id/,
  },
  {
    procedure: "tenant.members.remove",
    call: () => client.tenant.members.remove.mutate(untyped({ userId: 42 })),
    field: "userId",
  },
  {
    procedure: "apiKey.create",
    call: () => client.apiKey.create.mutate({ name: "ci", scopes: [] }),
    field: "scopes",
    message: /^scopes: must list at least one/,
  },
  {
    procedure: "apiKey.create",
    call: () => client.apiKey.create.mutate(untyped({ name: "ci", scopes: ["root"] })),
    field: "scopes.0",
  },
  {
    procedure: "apiKey.create",
    call: () => client.apiKey.create.mutate({ name: "ci", scopes: ["read"], expiresAt: "tomorrow" }),
    field: "expiresAt",
  },
  {
    procedure: "apiKey.create",
    call: () => client.apiKey.create.mutate({ name: "ci", scopes: ["read"], expiresAt: yesterday }),
    field: "expiresAt",
    message: /^expiresAt: must be in the future/,
  },
  { procedure: "apiKey.list", call: () => client.apiKey.list.query(unknownField), field: "bogus" },
  {
    procedure: "apiKey.revoke",
    call: () => client.apiKey.revoke.mutate({ apiKeyId: "key-1" }),
    field: "apiKeyId",
  },
  {
    procedure: "audit.list",
    call: () => client.audit.list.query({ limit: 0 }),
    field: "limit",
    message: /^limit: must be at least 1/,
  },
  { procedure: "audit.list", call: () => client.audit.list.query({ beforeId: "abc" }), field: "beforeId" },
];

describe("bad input", () => {
  it.each(cases)("$procedure: $field", async ({ call, field, message }) => {
    const before = await rowCounts();
    const error = await expectTrpcError(
      call(),
      "BAD_REQUEST",
      message ?? new RegExp(`(^|; )${field.replace(".", "\\.")}: `),
    );
    expect(error.data?.httpStatus).toBe(400);
    expect(error.data?.fieldErrors).toHaveProperty([field]);
    expect(error.message).not.toMatch(/at .*\.ts:\d+|select |insert |ZodError/i);
    expect(await rowCounts()).toEqual(before);
  });

  it("has a case for every procedure of the auth, tenant, apiKey and audit routers", async () => {
    const { appRouter } = await import("./router");
    const ours = Object.keys(appRouter._def.procedures).filter((path) =>
      /^(auth|tenant|apiKey|audit)\./.test(path),
    );
    expect([...new Set(cases.map((c) => c.procedure))].sort()).toEqual(ours.sort());
  });
});
