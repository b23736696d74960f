import { createTestTenant } from "@techscaniq/db/testing";
import type { TRPCClientError } from "@trpc/client";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUTHENTICATED_AUDIENCE, LOCAL_ISSUER, type LocalAuthConfig } from "../auth/config";
import { createApiKey } from "../domain/api-keys";
import { createTechScanClient } from "../client";
import type { AppRouter } from "../router";
import {
  expectTrpcError,
  localTestAuthConfig,
  startApiTestBed,
  startTestApiServer,
  type ApiTestBed,
} from "../testing";

let bed: ApiTestBed;
beforeAll(async () => {
  bed = await startApiTestBed();
});
afterAll(() => bed.close());

describe("sign-up and sign-in (local mode)", () => {
  it("signs up, stores a GoTrue-compatible bcrypt hash, and the token works at once", async () => {
    const session = await bed
      .client()
      .auth.signUp.mutate({ email: "Ada@Example.com ", password: "correct horse battery", name: "Ada" });
    expect(session.user).toMatchObject({ email: "ada@example.com", name: "Ada" });
    const row = await bed.database.db.kysely
      .selectFrom("auth.users")
      .select(["encrypted_password", "email_confirmed_at", "raw_app_meta_data"])
      .where("id", "=", session.user.id)
      .executeTakeFirstOrThrow();
    expect(row.encrypted_password).toMatch(/^\$2[aby]\$10\$/);
    expect(row.email_confirmed_at).not.toBeNull();
    expect(row.raw_app_meta_data).toEqual({ provider: "email", providers: ["email"] });

    const me = await bed.client({ accessToken: session.accessToken }).auth.me.query();
    expect(me).toMatchObject({
      kind: "user",
      user: { id: session.user.id, email: "ada@example.com" },
      apiKey: null,
    });
  });

  it("issues Supabase-shaped access tokens", async () => {
    const session = await bed
      .client()
      .auth.signUp.mutate({ email: "shape@example.com", password: "long enough password" });
    const claims = JSON.parse(
      Buffer.from(session.accessToken.split(".")[1]!, "base64url").toString(),
    ) as Record<string, unknown>;
    expect(claims).toMatchObject({
      sub: session.user.id,
      role: "authenticated",
      aud: "authenticated",
      email: "shape@example.com",
      app_metadata: { provider: "email", providers: ["email"] },
      user_metadata: {},
    });
    expect(claims.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((claims.exp as number) - (claims.iat as number)).toBe(15 * 60);
  });

  it("refuses a second account with the same e-mail, in any case", async () => {
    await bed.client().auth.signUp.mutate({ email: "twice@example.com", password: "long enough password" });
    await expectTrpcError(
      bed.client().auth.signUp.mutate({ email: "TWICE@example.com", password: "another password" }),
      "CONFLICT",
      /^email: /,
    );
  });

  it("signs in with the right password and refuses a wrong one or an unknown e-mail with the same message", async () => {
    await bed.client().auth.signUp.mutate({ email: "grace@example.com", password: "right password" });
    const session = await bed
      .client()
      .auth.signIn.mutate({ email: "grace@example.com", password: "right password" });
    expect(session.accessToken).toBeTruthy();
    await expectTrpcError(
      bed.client().auth.signIn.mutate({ email: "grace@example.com", password: "wrong password" }),
      "UNAUTHORIZED",
      "Invalid e-mail or password",
    );
    await expectTrpcError(
      bed.client().auth.signIn.mutate({ email: "nobody@example.com", password: "right password" }),
      "UNAUTHORIZED",
      "Invalid e-mail or password",
    );
  });
});

describe("trust: sign-in throttling trusts X-Forwarded-For", () => {
  const guess = (client: ReturnType<ApiTestBed["client"]>, email: string, password: string) =>
    client.auth.signIn.mutate({ email, password }).then(
      () => "signed in",
      (error: unknown) => (error as TRPCClientError<AppRouter>).data?.code,
    );

  it("a rotating X-Forwarded-For gives no extra guesses: the socket's address and the account count", async () => {
    await bed.client().auth.signUp.mutate({ email: "rotated@example.com", password: "the real password" });
    const outcomes: unknown[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      const spoofed = bed.client({ headers: { "x-forwarded-for": `203.0.113.${attempt + 1}` } });
      outcomes.push(await guess(spoofed, "rotated@example.com", `guess ${attempt}`));
    }
    expect(outcomes.slice(0, 5)).toEqual(Array(5).fill("UNAUTHORIZED"));
    expect(outcomes).toContain("TOO_MANY_REQUESTS");
  });

  it("slows an account with short growing delays instead of locking its owner out, in every web process", async () => {
    await bed.client().auth.signUp.mutate({ email: "slowed@example.com", password: "the real password" });
    for (let attempt = 0; attempt < 6; attempt++)
      await guess(bed.client(), "slowed@example.com", `guess ${attempt}`);
    // A second API process on the same database sees the same state.
    const otherProcess = await startTestApiServer(bed.database.db, { auth: bed.auth });
    try {
      const refused = await expectTrpcError(
        createTechScanClient({ url: otherProcess.url }).auth.signIn.mutate({
          email: "slowed@example.com",
          password: "the real password",
        }),
        "TOO_MANY_REQUESTS",
        /Too many failed sign-ins for this e-mail; try again in \d+ second/,
      );
      expect(refused.data?.httpStatus).toBe(429);
      const waitSeconds = Number(/in (\d+) second/.exec(refused.message)![1]);
      expect(waitSeconds).toBeLessThanOrEqual(60);
    } finally {
      await otherProcess.close();
    }
    const stored = await bed.database.db.kysely
      .selectFrom("auth_throttle")
      .select(["key", "attempts"])
      .where("key", "=", "account:slowed@example.com")
      .execute();
    expect(stored).toEqual([{ key: "account:slowed@example.com", attempts: 6 }]);
  });

  it("limits failed sign-ins from one address across accounts, and sign-ups from one address", async () => {
    const fresh = await startApiTestBed();
    try {
      const outcomes: unknown[] = [];
      for (let attempt = 0; attempt < 52; attempt++)
        outcomes.push(await guess(fresh.client(), `nobody-${attempt}@example.com`, "guess"));
      expect(outcomes.slice(0, 50)).toEqual(Array(50).fill("UNAUTHORIZED"));
      expect(outcomes.at(-1)).toBe("TOO_MANY_REQUESTS");

      for (let attempt = 0; attempt < 30; attempt++) {
        await fresh
          .client()
          .auth.signUp.mutate({ email: `new-${attempt}@example.com`, password: "a long password" });
      }
      await expectTrpcError(
        fresh.client().auth.signUp.mutate({ email: "one-too-many@example.com", password: "a long password" }),
        "TOO_MANY_REQUESTS",
        /Too many new accounts from your network/,
      );
      const created = await fresh.database.db.kysely
        .selectFrom("auth.users")
        .select("id")
        .where("email", "=", "one-too-many@example.com")
        .execute();
      expect(created).toEqual([]);
    } finally {
      await fresh.close();
    }
  });
});

describe("sessions", () => {
  it("rotates the refresh token; the old one, seen after the reuse interval, is refused and revokes the session", async () => {
    const strict = await startApiTestBed({
      auth: localTestAuthConfig({ refreshTokenReuseIntervalSeconds: 0 }),
    });
    try {
      const user = await strict.signedInUser();
      const refreshed = await strict.client().auth.refresh.mutate({ refreshToken: user.refreshToken });
      expect(refreshed.refreshToken).not.toBe(user.refreshToken);
      await strict.client({ accessToken: refreshed.accessToken }).auth.me.query();

      await expectTrpcError(
        strict.client().auth.refresh.mutate({ refreshToken: user.refreshToken }),
        "UNAUTHORIZED",
        /already used/,
      );
      // Reuse means the token leaked: everything issued for the session stops working.
      await expectTrpcError(
        strict.client().auth.refresh.mutate({ refreshToken: refreshed.refreshToken }),
        "UNAUTHORIZED",
        /signed out/,
      );
      await expectTrpcError(
        strict.client({ accessToken: refreshed.accessToken }).auth.me.query(),
        "UNAUTHORIZED",
      );
      const session = await strict.database.db.kysely
        .selectFrom("sessions")
        .select(["revoked_reason"])
        .where("user_id", "=", user.id)
        .executeTakeFirstOrThrow();
      expect(session.revoked_reason).toBe("refresh_token_reuse");
    } finally {
      await strict.close();
    }
  });

  it("answers refreshes racing on the same token (two tabs, page and prefetch) with one current token instead of signing out", async () => {
    const user = await bed.signedInUser();
    const [first, second, third] = await Promise.all(
      [1, 2, 3].map(() => bed.client().auth.refresh.mutate({ refreshToken: user.refreshToken })),
    );
    expect(new Set([first!.refreshToken, second!.refreshToken, third!.refreshToken]).size).toBe(1);
    expect(first!.refreshToken).not.toBe(user.refreshToken);
    const session = await bed.database.db.kysely
      .selectFrom("sessions")
      .select(["revoked_at", "rotation_count"])
      .where("user_id", "=", user.id)
      .executeTakeFirstOrThrow();
    expect(session).toEqual({ revoked_at: null, rotation_count: 1 });
    // The converged token goes on working, and rotates as usual.
    const next = await bed.client().auth.refresh.mutate({ refreshToken: first!.refreshToken });
    expect(next.refreshToken).not.toBe(first!.refreshToken);
    await bed.client({ accessToken: next.accessToken }).auth.me.query();
  });

  it("refuses an unknown refresh token", async () => {
    await expectTrpcError(
      bed.client().auth.refresh.mutate({ refreshToken: "x".repeat(43) }),
      "UNAUTHORIZED",
      /not valid/,
    );
  });

  it("sign-out revokes the access token immediately, and the refresh token", async () => {
    const user = await bed.signedInUser();
    const client = bed.client({ accessToken: user.accessToken });
    await client.auth.me.query();
    await expect(client.auth.signOut.mutate()).resolves.toEqual({ signedOut: true });
    await expectTrpcError(client.auth.me.query(), "UNAUTHORIZED", /signed out/);
    await expectTrpcError(
      bed.client().auth.refresh.mutate({ refreshToken: user.refreshToken }),
      "UNAUTHORIZED",
    );
  });

  it("refuses expired, forged and session-less tokens", async () => {
    const user = await bed.signedInUser();
    const local = bed.auth as LocalAuthConfig;
    const sessionId = JSON.parse(Buffer.from(user.accessToken.split(".")[1]!, "base64url").toString())
      .session_id as string;
    const sign = (secret: Uint8Array, claims: Record<string, unknown>, expiresAt: number) =>
      new SignJWT({ role: "authenticated", ...claims })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject(user.id)
        .setAudience(AUTHENTICATED_AUDIENCE)
        .setIssuer(LOCAL_ISSUER)
        .setIssuedAt()
        .setExpirationTime(expiresAt)
        .sign(secret);
    const now = Math.floor(Date.now() / 1000);

    const expired = await sign(local.jwtSecret, { session_id: sessionId }, now - 10);
    await expectTrpcError(bed.client({ accessToken: expired }).auth.me.query(), "UNAUTHORIZED", /expired/);
    const forged = await sign(
      new TextEncoder().encode("not the server's secret, but long enough"),
      { session_id: sessionId },
      now + 600,
    );
    await expectTrpcError(bed.client({ accessToken: forged }).auth.me.query(), "UNAUTHORIZED", /signature/);
    const withoutSession = await sign(local.jwtSecret, {}, now + 600);
    await expectTrpcError(bed.client({ accessToken: withoutSession }).auth.me.query(), "UNAUTHORIZED");
    const valid = await sign(local.jwtSecret, { session_id: sessionId }, now + 600);
    await expect(bed.client({ accessToken: valid }).auth.me.query()).resolves.toMatchObject({ kind: "user" });
  });

  it("tells a caller without credentials to sign in", async () => {
    await expectTrpcError(bed.client().auth.me.query(), "UNAUTHORIZED", /Sign in/);
  });
});

describe("API keys", () => {
  async function tenantWithAdmin() {
    const admin = await bed.signedInUser();
    const tenant = await createTestTenant(bed.database.db, admin.id);
    return {
      admin,
      tenant,
      adminClient: bed.client({ accessToken: admin.accessToken, tenantId: tenant.id }),
    };
  }

  it("creates a key whose secret is shown once and stored only as SHA-256; it works as Bearer and as x-api-key", async () => {
    const { adminClient, tenant } = await tenantWithAdmin();
    const created = await adminClient.apiKey.create.mutate({ name: "ci", scopes: ["read"] });
    expect(created.secret).toMatch(/^tsk_[a-z2-9]{10}_[A-Za-z0-9_-]{43}$/);
    expect(created.secret.startsWith(`${created.apiKey.prefix}_`)).toBe(true);
    const stored = await bed.database.db.kysely
      .selectFrom("api_keys")
      .selectAll()
      .where("id", "=", created.apiKey.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(created.secret.split("_")[2]);

    const viaBearer = await bed.client({ apiKey: created.secret }).tenant.get.query();
    expect(viaBearer.id).toBe(tenant.id);
    const viaHeader = await bed.client({ headers: { "x-api-key": created.secret } }).auth.me.query();
    expect(viaHeader.apiKey).toEqual({ id: created.apiKey.id, tenantId: tenant.id, scopes: ["read"] });
    const listed = await adminClient.apiKey.list.query();
    expect(listed.find((key) => key.id === created.apiKey.id)?.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(created.secret);
  });

  it("enforces scopes: read keys only query, write keys act as members, admin keys as admins", async () => {
    const { adminClient } = await tenantWithAdmin();
    const read = await adminClient.apiKey.create.mutate({ name: "read", scopes: ["read"] });
    const write = await adminClient.apiKey.create.mutate({ name: "write", scopes: ["write"] });
    const admin = await adminClient.apiKey.create.mutate({ name: "admin", scopes: ["admin"] });

    await expectTrpcError(
      bed.client({ apiKey: read.secret }).tenant.update.mutate({ name: "x" }),
      "FORBIDDEN",
      /read scope/,
    );
    await expectTrpcError(
      bed.client({ apiKey: write.secret }).tenant.update.mutate({ name: "x" }),
      "FORBIDDEN",
      /admin role/,
    );
    await expect(
      bed.client({ apiKey: admin.secret }).tenant.update.mutate({ name: "Renamed by key" }),
    ).resolves.toMatchObject({ name: "Renamed by key", role: "admin" });
    const audit = await bed.client({ apiKey: admin.secret }).audit.list.query();
    expect(audit[0]).toMatchObject({
      action: "tenant.update",
      actorApiKeyId: admin.apiKey.id,
      actorUserId: null,
    });
  });

  it("keeps keys to their tenant and away from account actions", async () => {
    const { adminClient } = await tenantWithAdmin();
    const other = await tenantWithAdmin();
    const key = await adminClient.apiKey.create.mutate({ name: "admin", scopes: ["admin"] });
    await expectTrpcError(
      bed.client({ apiKey: key.secret, tenantId: other.tenant.id }).tenant.get.query(),
      "FORBIDDEN",
      /another tenant/,
    );
    await expectTrpcError(
      bed.client({ apiKey: key.secret }).apiKey.create.mutate({ name: "child", scopes: ["admin"] }),
      "FORBIDDEN",
      /cannot manage API keys/,
    );
    await expectTrpcError(
      bed.client({ apiKey: key.secret }).tenant.create.mutate({ slug: "by-key", name: "By key" }),
      "FORBIDDEN",
      /sign in as a user/,
    );
  });

  it("refuses expired and revoked keys", async () => {
    const { adminClient } = await tenantWithAdmin();
    const soon = new Date(Date.now() + 1500).toISOString();
    const expiring = await adminClient.apiKey.create.mutate({
      name: "short-lived",
      scopes: ["read"],
      expiresAt: soon,
    });
    await bed.client({ apiKey: expiring.secret }).tenant.get.query();
    await bed.database.db.kysely
      .updateTable("api_keys")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("id", "=", expiring.apiKey.id)
      .execute();
    await expectTrpcError(
      bed.client({ apiKey: expiring.secret }).tenant.get.query(),
      "UNAUTHORIZED",
      /expired/,
    );

    const revoked = await adminClient.apiKey.create.mutate({ name: "to revoke", scopes: ["write"] });
    await bed.client({ apiKey: revoked.secret }).tenant.get.query();
    const view = await adminClient.apiKey.revoke.mutate({ apiKeyId: revoked.apiKey.id });
    expect(view.status).toBe("revoked");
    await expectTrpcError(
      bed.client({ apiKey: revoked.secret }).tenant.get.query(),
      "UNAUTHORIZED",
      /revoked/,
    );
    await expectTrpcError(
      bed.client({ apiKey: `${revoked.apiKey.prefix}_${"A".repeat(43)}` }).tenant.get.query(),
      "UNAUTHORIZED",
      /not valid/,
    );
    await expectTrpcError(
      bed.client({ apiKey: "tsk_nonsense" }).tenant.get.query(),
      "UNAUTHORIZED",
      /malformed/,
    );
  });

  it("createApiKey (the operator CLI path) makes a working key and audits it", async () => {
    const { tenant, adminClient } = await tenantWithAdmin();
    const created = await createApiKey(bed.database.db, { tenantSlug: tenant.slug, name: "ops" });
    expect(created.apiKey).toMatchObject({ scopes: ["read", "write"], createdBy: null, status: "active" });
    await expect(bed.client({ apiKey: created.secret }).tenant.get.query()).resolves.toMatchObject({
      id: tenant.id,
      role: "member",
    });
    const audit = await adminClient.audit.list.query();
    expect(audit.find((entry) => entry.target === `api_key:${created.apiKey.id}`)).toMatchObject({
      action: "apiKey.create",
      actorUserId: null,
    });
    await expect(
      createApiKey(bed.database.db, { tenantSlug: "no-such-tenant", name: "ops" }),
    ).rejects.toThrow(/no tenant has the slug/);
  });
});
