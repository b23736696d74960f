import { addTestMember, createTestUser } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, startApiTestBed, type ApiTestBed } from "../test-fixtures";

let bed: ApiTestBed;
beforeAll(async () => {
  bed = await startApiTestBed();
});
afterAll(() => bed.close());

const eventsOf = (tenantId: string) =>
  bed.database.db.kysely
    .selectFrom("events")
    .select(["type", "subject", "user_id"])
    .where("tenant_id", "=", tenantId)
    .orderBy("id")
    .execute();

describe("tenants", () => {
  it("creates a tenant owned by the caller, with its event and audit entry in the same transaction", async () => {
    const user = await bed.signedInUser();
    const client = bed.client({ accessToken: user.accessToken });
    const tenant = await client.tenant.create.mutate({ slug: "acme-capital", name: "Acme Capital" });
    expect(tenant).toMatchObject({ slug: "acme-capital", name: "Acme Capital", plan: "free", role: "owner" });
    expect(await client.tenant.listMine.query()).toEqual([tenant]);
    expect(await eventsOf(tenant.id)).toEqual([
      { type: "tenant.created", subject: tenant.id, user_id: user.id },
    ]);
    const audit = await bed.client({ accessToken: user.accessToken, tenantId: tenant.id }).audit.list.query();
    expect(audit).toMatchObject([
      { action: "tenant.create", target: `tenant:${tenant.id}`, actorUserId: user.id },
    ]);

    const other = await bed.signedInUser();
    await expectTrpcError(
      bed
        .client({ accessToken: other.accessToken })
        .tenant.create.mutate({ slug: "acme-capital", name: "Copy" }),
      "CONFLICT",
      /^slug: "acme-capital" is already taken/,
    );
    expect(await bed.client({ accessToken: other.accessToken }).tenant.listMine.query()).toEqual([]);
  });

  it("switch validates membership and returns the tenant to send as x-tenant-id", async () => {
    const user = await bed.signedInUser();
    const client = bed.client({ accessToken: user.accessToken });
    const first = await client.tenant.create.mutate({ slug: "first-fund", name: "First" });
    const second = await client.tenant.create.mutate({ slug: "second-fund", name: "Second" });
    expect(await client.tenant.switch.mutate({ tenantId: second.id })).toMatchObject({
      id: second.id,
      role: "owner",
    });
    expect(
      await bed.client({ accessToken: user.accessToken, tenantId: first.id }).tenant.get.query(),
    ).toMatchObject({ id: first.id });

    const stranger = await bed.signedInUser();
    await expectTrpcError(
      bed.client({ accessToken: stranger.accessToken }).tenant.switch.mutate({ tenantId: first.id }),
      "FORBIDDEN",
    );
    await expectTrpcError(
      bed.client({ accessToken: user.accessToken }).tenant.get.query(),
      "BAD_REQUEST",
      /x-tenant-id/,
    );
  });

  it("renames the tenant and audits who did it", async () => {
    const user = await bed.signedInUser();
    const tenant = await bed
      .client({ accessToken: user.accessToken })
      .tenant.create.mutate({ slug: "rename-me", name: "Old" });
    const client = bed.client({
      accessToken: user.accessToken,
      tenantId: tenant.id,
      headers: { "x-request-id": "rename-request" },
    });
    expect(await client.tenant.update.mutate({ name: "  New name  " })).toMatchObject({
      name: "New name",
      slug: "rename-me",
    });
    const [latest] = await client.audit.list.query({ limit: 1 });
    expect(latest).toMatchObject({
      action: "tenant.update",
      target: `tenant:${tenant.id}`,
      requestId: "rename-request",
      details: { input: { name: "  New name  " } },
    });
    expect((await eventsOf(tenant.id)).map((event) => event.type)).toEqual([
      "tenant.created",
      "tenant.updated",
    ]);
  });
});

describe("trust: seeded demo user gets live progress", () => {
  it("remembers the tenant a user switched to last, so signing in can make it active again", async () => {
    const user = await bed.signedInUser();
    const client = bed.client({ accessToken: user.accessToken });
    const alpha = await client.tenant.create.mutate({ slug: "alpha-last-used", name: "Alpha" });
    const beta = await client.tenant.create.mutate({ slug: "beta-last-used", name: "Beta" });
    expect((await client.tenant.listMine.query()).map((tenant) => tenant.lastUsedAt)).toEqual([null, null]);

    const switched = await client.tenant.switch.mutate({ tenantId: beta.id });
    expect(switched.lastUsedAt).not.toBeNull();
    const listed = await client.tenant.listMine.query();
    expect(listed.find((tenant) => tenant.id === beta.id)?.lastUsedAt).not.toBeNull();
    expect(listed.find((tenant) => tenant.id === alpha.id)?.lastUsedAt).toBeNull();

    // Another member's choice is theirs alone.
    const colleague = await bed.signedInUser();
    await addTestMember(bed.database.db, beta.id, colleague.id, "member");
    const colleagueView = await bed.client({ accessToken: colleague.accessToken }).tenant.listMine.query();
    expect(colleagueView).toMatchObject([{ id: beta.id, lastUsedAt: null }]);
  });
});

describe("members", () => {
  async function tenantOf(ownerToken: string, slug: string) {
    return bed.client({ accessToken: ownerToken }).tenant.create.mutate({ slug, name: slug });
  }

  it("invites an existing user by e-mail, changes their role and removes them, with events", async () => {
    const owner = await bed.signedInUser();
    const tenant = await tenantOf(owner.accessToken, "members-flow");
    const client = bed.client({ accessToken: owner.accessToken, tenantId: tenant.id });
    const invitee = await createTestUser(bed.database.db);

    const added = await client.tenant.members.invite.mutate({
      email: invitee.email.toUpperCase(),
      role: "viewer",
    });
    expect(added).toMatchObject({ userId: invitee.id, email: invitee.email, role: "viewer" });
    await expectTrpcError(
      client.tenant.members.invite.mutate({ email: invitee.email, role: "member" }),
      "CONFLICT",
      /already a member/,
    );
    await expectTrpcError(
      client.tenant.members.invite.mutate({ email: "ghost@example.com", role: "member" }),
      "NOT_FOUND",
      /^email: nobody has signed up/,
    );

    expect(
      await client.tenant.members.changeRole.mutate({ userId: invitee.id, role: "admin" }),
    ).toMatchObject({ role: "admin" });
    expect((await client.tenant.members.list.query()).map((member) => [member.email, member.role])).toEqual([
      [owner.email, "owner"],
      [invitee.email, "admin"],
    ]);
    await expect(client.tenant.members.remove.mutate({ userId: invitee.id })).resolves.toEqual({
      userId: invitee.id,
    });
    expect((await eventsOf(tenant.id)).map((event) => event.type)).toEqual([
      "tenant.created",
      "member.added",
      "member.role_changed",
      "member.removed",
    ]);
    const audit = await client.audit.list.query();
    expect(audit.map((entry) => entry.action)).toEqual([
      "tenant.members.remove",
      "tenant.members.changeRole",
      "tenant.members.invite",
      "tenant.create",
    ]);
  });

  it("keeps the owner role to owners and always keeps one owner", async () => {
    const owner = await bed.signedInUser();
    const tenant = await tenantOf(owner.accessToken, "owner-rules");
    const admin = await bed.signedInUser();
    await addTestMember(bed.database.db, tenant.id, admin.id, "admin");
    const asAdmin = bed.client({ accessToken: admin.accessToken, tenantId: tenant.id });
    const asOwner = bed.client({ accessToken: owner.accessToken, tenantId: tenant.id });

    await expectTrpcError(
      asAdmin.tenant.members.changeRole.mutate({ userId: owner.id, role: "member" }),
      "FORBIDDEN",
      /Only owners/,
    );
    await expectTrpcError(
      asAdmin.tenant.members.remove.mutate({ userId: owner.id }),
      "FORBIDDEN",
      /Only owners/,
    );
    await expectTrpcError(
      asAdmin.tenant.members.changeRole.mutate({ userId: admin.id, role: "owner" }),
      "FORBIDDEN",
      /Only owners/,
    );
    await expectTrpcError(
      asOwner.tenant.members.changeRole.mutate({ userId: owner.id, role: "admin" }),
      "CONFLICT",
      /at least one owner/,
    );
    await expectTrpcError(
      asOwner.tenant.members.remove.mutate({ userId: owner.id }),
      "CONFLICT",
      /at least one owner/,
    );

    await asOwner.tenant.members.changeRole.mutate({ userId: admin.id, role: "owner" });
    await expect(
      asOwner.tenant.members.changeRole.mutate({ userId: owner.id, role: "viewer" }),
    ).resolves.toMatchObject({ role: "viewer" });
  });
});

describe("audit.list paging", () => {
  it("pages newest first by id", async () => {
    const owner = await bed.signedInUser();
    const tenant = await bed
      .client({ accessToken: owner.accessToken })
      .tenant.create.mutate({ slug: "audit-paging", name: "Paging" });
    const client = bed.client({ accessToken: owner.accessToken, tenantId: tenant.id });
    for (const name of ["One", "Two", "Three"]) await client.tenant.update.mutate({ name });
    const firstPage = await client.audit.list.query({ limit: 2 });
    const secondPage = await client.audit.list.query({ limit: 2, beforeId: firstPage[1]!.id });
    const entries = [...firstPage, ...secondPage];
    expect(entries.map((entry) => entry.action)).toEqual([
      "tenant.update",
      "tenant.update",
      "tenant.update",
      "tenant.create",
    ]);
    expect(entries.map((entry) => (entry.details as { input: { name: string } }).input.name)).toEqual([
      "Three",
      "Two",
      "One",
      "Paging",
    ]);
  });
});
