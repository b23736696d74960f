import { addTestMember, createTestUser } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, startApiTestBed, type ApiTestBed } from "../testing";

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

  it("invites a user by e-mail (they accept), changes their role and removes them, with events", async () => {
    const owner = await bed.signedInUser();
    const tenant = await tenantOf(owner.accessToken, "members-flow");
    const client = bed.client({ accessToken: owner.accessToken, tenantId: tenant.id });
    const invitee = await bed.signedInUser();

    const invitation = await client.tenant.members.invite.mutate({
      email: invitee.email.toUpperCase(),
      role: "viewer",
    });
    expect(invitation).toMatchObject({ email: invitee.email, role: "viewer" });
    await expect(
      bed
        .client({ accessToken: invitee.accessToken })
        .tenant.invitations.accept.mutate({ invitationId: invitation.id }),
    ).resolves.toEqual({ tenantId: tenant.id, role: "viewer" });
    await expectTrpcError(
      client.tenant.members.invite.mutate({ email: invitee.email, role: "member" }),
      "CONFLICT",
      /already a member/,
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
      "invitation.created",
      "member.added",
      "member.role_changed",
      "member.removed",
    ]);
    const audit = await client.audit.list.query();
    expect(audit.map((entry) => entry.action)).toEqual([
      "tenant.members.remove",
      "tenant.members.changeRole",
      "tenant.invitations.accept",
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

describe("trust: member invites reveal who has an account and need no consent", () => {
  const ghostAddress = () => `ghost-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const membershipsOf = (tenantId: string) =>
    bed.database.db.kysely
      .selectFrom("memberships")
      .select(["user_id", "role"])
      .where("tenant_id", "=", tenantId)
      .orderBy("created_at")
      .execute();

  async function ownedTenant(slug: string) {
    const owner = await bed.signedInUser();
    const tenant = await bed
      .client({ accessToken: owner.accessToken })
      .tenant.create.mutate({ slug, name: slug });
    return { owner, tenant, admin: bed.client({ accessToken: owner.accessToken, tenantId: tenant.id }) };
  }

  it("answers the same for an address with and without an account, and adds nobody", async () => {
    const { owner, tenant, admin } = await ownedTenant("invite-same-answer");
    const existing = await createTestUser(bed.database.db);

    const forExisting = await admin.tenant.members.invite.mutate({ email: existing.email, role: "member" });
    const forNobody = await admin.tenant.members.invite.mutate({ email: ghostAddress(), role: "member" });
    // Everything but the invitation's own id, address and timestamps is identical.
    const withoutOwnValues = (invitation: typeof forExisting) => ({
      ...invitation,
      id: "id",
      email: "email",
      invitedAt: "t",
      expiresAt: "t",
    });
    expect(withoutOwnValues(forExisting)).toEqual(withoutOwnValues(forNobody));
    expect(Object.keys(forExisting)).toEqual(Object.keys(forNobody));
    const lifetime = (invitation: typeof forExisting) =>
      Date.parse(invitation.expiresAt) - Date.parse(invitation.invitedAt);
    expect(lifetime(forExisting)).toBe(lifetime(forNobody));

    expect(await membershipsOf(tenant.id)).toEqual([{ user_id: owner.id, role: "owner" }]);
    expect((await admin.tenant.invitations.list.query()).map((invitation) => invitation.id)).toEqual([
      forExisting.id,
      forNobody.id,
    ]);
    // Inviting again refreshes the open invitation rather than adding another.
    const again = await admin.tenant.members.invite.mutate({ email: existing.email, role: "viewer" });
    expect(again).toMatchObject({ id: forExisting.id, role: "viewer" });
    expect(await admin.tenant.invitations.list.query()).toHaveLength(2);
    expect((await eventsOf(tenant.id)).map((event) => event.type)).toEqual([
      "tenant.created",
      "invitation.created",
      "invitation.created",
      "invitation.created",
    ]);
  });

  it("shows it only to the invitee signed in as that address, who joins by accepting", async () => {
    const { owner, tenant, admin } = await ownedTenant("invite-consent");
    const address = ghostAddress();
    const invitation = await admin.tenant.members.invite.mutate({ email: address, role: "member" });

    await expectTrpcError(bed.client().tenant.invitations.mine.query(), "UNAUTHORIZED");
    const stranger = bed.client({ accessToken: (await bed.signedInUser()).accessToken });
    expect(await stranger.tenant.invitations.mine.query()).toEqual([]);
    await expectTrpcError(
      stranger.tenant.invitations.accept.mutate({ invitationId: invitation.id }),
      "NOT_FOUND",
      /no such invitation for your e-mail address/,
    );
    await expectTrpcError(
      stranger.tenant.invitations.decline.mutate({ invitationId: invitation.id }),
      "NOT_FOUND",
    );

    // The address signs up only now, after the invitation.
    const invitee = await createTestUser(bed.database.db, { email: address });
    const session = await bed.client().auth.signIn.mutate({ email: address, password: invitee.password });
    const inviteeClient = bed.client({ accessToken: session.accessToken });
    expect(await inviteeClient.tenant.invitations.mine.query()).toEqual([
      { ...invitation, tenantId: tenant.id, tenantName: tenant.name },
    ]);
    expect(await membershipsOf(tenant.id)).toEqual([{ user_id: owner.id, role: "owner" }]);

    const accepted = { tenantId: tenant.id, role: "member" };
    await expect(
      inviteeClient.tenant.invitations.accept.mutate({ invitationId: invitation.id }),
    ).resolves.toEqual(accepted);
    // Accepting twice is a no-op.
    await expect(
      inviteeClient.tenant.invitations.accept.mutate({ invitationId: invitation.id }),
    ).resolves.toEqual(accepted);
    expect(await membershipsOf(tenant.id)).toEqual([
      { user_id: owner.id, role: "owner" },
      { user_id: invitee.id, role: "member" },
    ]);
    expect((await inviteeClient.tenant.listMine.query()).map((mine) => mine.id)).toEqual([tenant.id]);
    expect(await inviteeClient.tenant.invitations.mine.query()).toEqual([]);
    expect(await admin.tenant.invitations.list.query()).toEqual([]);
    await expectTrpcError(
      inviteeClient.tenant.invitations.decline.mutate({ invitationId: invitation.id }),
      "CONFLICT",
      /was accepted/,
    );
    expect((await eventsOf(tenant.id)).slice(-1)).toEqual([
      { type: "member.added", subject: invitee.id, user_id: invitee.id },
    ]);
    expect((await admin.audit.list.query())[0]).toMatchObject({
      action: "tenant.invitations.accept",
      target: `invitation:${invitation.id}`,
      actorUserId: invitee.id,
    });
  });

  it("refuses a declined, revoked or expired invitation afterwards", async () => {
    const { owner, tenant, admin } = await ownedTenant("invite-refusals");
    const [decliner, revoked, late] = [
      await bed.signedInUser(),
      await bed.signedInUser(),
      await bed.signedInUser(),
    ];
    const inviteOf = (user: { email: string }) =>
      admin.tenant.members.invite.mutate({ email: user.email, role: "admin" });
    const as = (user: { accessToken: string }) => bed.client({ accessToken: user.accessToken });

    const declined = await inviteOf(decliner);
    await expect(
      as(decliner).tenant.invitations.decline.mutate({ invitationId: declined.id }),
    ).resolves.toEqual({ invitationId: declined.id });
    await expectTrpcError(
      as(decliner).tenant.invitations.accept.mutate({ invitationId: declined.id }),
      "CONFLICT",
      /^invitationId: this invitation was declined/,
    );

    const toRevoke = await inviteOf(revoked);
    await expect(admin.tenant.invitations.revoke.mutate({ invitationId: toRevoke.id })).resolves.toEqual(
      toRevoke,
    );
    await expectTrpcError(
      admin.tenant.invitations.revoke.mutate({ invitationId: toRevoke.id }),
      "CONFLICT",
      /already revoked/,
    );
    expect(await as(revoked).tenant.invitations.mine.query()).toEqual([]);
    await expectTrpcError(
      as(revoked).tenant.invitations.accept.mutate({ invitationId: toRevoke.id }),
      "CONFLICT",
      /^invitationId: this invitation was revoked/,
    );

    const expiring = await inviteOf(late);
    await bed.database.db.kysely
      .updateTable("invitations")
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where("id", "=", expiring.id)
      .execute();
    expect(await as(late).tenant.invitations.mine.query()).toEqual([]);
    for (const answer of [as(late).tenant.invitations.accept, as(late).tenant.invitations.decline])
      await expectTrpcError(
        answer.mutate({ invitationId: expiring.id }),
        "CONFLICT",
        /^invitationId: this invitation has expired; ask an admin/,
      );

    expect(await membershipsOf(tenant.id)).toEqual([{ user_id: owner.id, role: "owner" }]);
    // Only the expired one is still open (it can be renewed by inviting again, or revoked).
    expect((await admin.tenant.invitations.list.query()).map((invitation) => invitation.id)).toEqual([
      expiring.id,
    ]);
  });

  it("keeps another tenant's admin and the tenant's own non-admins from listing or revoking it", async () => {
    const { tenant, admin } = await ownedTenant("invite-boundary-a");
    const invitation = await admin.tenant.members.invite.mutate({ email: ghostAddress(), role: "member" });
    const other = await ownedTenant("invite-boundary-b");
    await other.admin.tenant.members.invite.mutate({ email: ghostAddress(), role: "member" });

    expect((await other.admin.tenant.invitations.list.query()).map((mine) => mine.id)).not.toContain(
      invitation.id,
    );
    await expectTrpcError(
      other.admin.tenant.invitations.revoke.mutate({ invitationId: invitation.id }),
      "NOT_FOUND",
    );
    const namingA = bed.client({ accessToken: other.owner.accessToken, tenantId: tenant.id });
    await expectTrpcError(namingA.tenant.invitations.list.query(), "FORBIDDEN");
    await expectTrpcError(
      namingA.tenant.invitations.revoke.mutate({ invitationId: invitation.id }),
      "FORBIDDEN",
    );

    const member = await bed.signedInUser();
    await addTestMember(bed.database.db, tenant.id, member.id, "member");
    const memberOfA = bed.client({ accessToken: member.accessToken, tenantId: tenant.id });
    await expectTrpcError(memberOfA.tenant.invitations.list.query(), "FORBIDDEN");
    await expectTrpcError(
      memberOfA.tenant.members.invite.mutate({ email: ghostAddress(), role: "member" }),
      "FORBIDDEN",
    );

    expect((await admin.tenant.invitations.list.query()).map((open) => open.id)).toEqual([invitation.id]);
  });
});
