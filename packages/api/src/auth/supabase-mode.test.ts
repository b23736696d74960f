import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestTenant, createTestUser } from "@techscaniq/db/testing";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, startApiTestBed, type ApiTestBed } from "../testing";
import type { SupabaseAuthConfig } from "./config";

/**
 * Production mode: Supabase Auth signs the tokens. A stand-in for the
 * project's JWKS endpoint serves locally generated public keys on 127.0.0.1.
 */

let jwksServer: Server;
let supabaseUrl: string;
let bed: ApiTestBed;
let es256: { privateKey: CryptoKey; kid: string };
let rs256: { privateKey: CryptoKey; kid: string };
const projectSecret = "super-secret-jwt-token-with-at-least-32-characters-long";

async function keyPair(
  alg: "ES256" | "RS256",
  kid: string,
): Promise<{ privateKey: CryptoKey; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

beforeAll(async () => {
  const es = await keyPair("ES256", "es-key");
  const rs = await keyPair("RS256", "rs-key");
  es256 = { privateKey: es.privateKey, kid: "es-key" };
  rs256 = { privateKey: rs.privateKey, kid: "rs-key" };
  jwksServer = createServer((req, res) => {
    if (req.url !== "/auth/v1/.well-known/jwks.json") {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ keys: [es.publicJwk, rs.publicJwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
  supabaseUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
  const auth: SupabaseAuthConfig = {
    mode: "supabase",
    issuer: `${supabaseUrl}/auth/v1`,
    jwksUrl: new URL(`${supabaseUrl}/auth/v1/.well-known/jwks.json`),
    jwtSecret: new TextEncoder().encode(projectSecret),
  };
  bed = await startApiTestBed({ auth });
});

afterAll(async () => {
  await bed.close();
  await new Promise((resolve) => jwksServer.close(resolve));
});

interface TokenOptions {
  key?: { privateKey: CryptoKey | Uint8Array; kid?: string; alg: string };
  audience?: string;
  issuer?: string;
  expiresIn?: number;
  role?: string;
}

/** A token shaped like the ones Supabase Auth issues. */
function supabaseToken(userId: string, options: TokenOptions = {}): Promise<string> {
  const key = options.key ?? { ...es256, alg: "ES256" };
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    role: options.role ?? "authenticated",
    email: "someone@example.com",
    app_metadata: { provider: "email", providers: ["email"] },
    user_metadata: {},
    session_id: crypto.randomUUID(),
    aal: "aal1",
    is_anonymous: false,
  })
    .setProtectedHeader({ alg: key.alg, typ: "JWT", ...(key.kid ? { kid: key.kid } : {}) })
    .setSubject(userId)
    .setAudience(options.audience ?? "authenticated")
    .setIssuer(options.issuer ?? `${supabaseUrl}/auth/v1`)
    .setIssuedAt(now - 60)
    .setExpirationTime(now + (options.expiresIn ?? 3600))
    .sign(key.privateKey);
}

describe("Supabase access tokens (production mode)", () => {
  it("accepts ES256 and RS256 tokens from the JWKS and HS256 tokens signed with the project secret, with RLS applied", async () => {
    const user = await createTestUser(bed.database.db);
    const tenant = await createTestTenant(bed.database.db, user.id);
    const tokens = [
      await supabaseToken(user.id),
      await supabaseToken(user.id, { key: { ...rs256, alg: "RS256" } }),
      await supabaseToken(user.id, {
        key: { privateKey: new TextEncoder().encode(projectSecret), alg: "HS256" },
      }),
    ];
    for (const accessToken of tokens) {
      const client = bed.client({ accessToken, tenantId: tenant.id });
      await expect(client.auth.me.query()).resolves.toMatchObject({ kind: "user", user: { id: user.id } });
      await expect(client.tenant.get.query()).resolves.toMatchObject({ id: tenant.id, role: "owner" });
      await expect(client.tenant.listMine.query()).resolves.toHaveLength(1);
    }
  });

  it("refuses a token signed by another key, an expired one, one for another audience or issuer, and an anon token", async () => {
    const user = await createTestUser(bed.database.db);
    const stranger = await generateKeyPair("ES256");
    const refused: [string, Promise<string>, RegExp][] = [
      [
        "another key, same kid",
        supabaseToken(user.id, { key: { privateKey: stranger.privateKey, kid: es256.kid, alg: "ES256" } }),
        /signature/,
      ],
      [
        "unknown kid",
        supabaseToken(user.id, { key: { privateKey: stranger.privateKey, kid: "unknown", alg: "ES256" } }),
        /signature or format/,
      ],
      [
        "wrong HS256 secret",
        supabaseToken(user.id, {
          key: { privateKey: new TextEncoder().encode("x".repeat(40)), alg: "HS256" },
        }),
        /signature/,
      ],
      ["expired", supabaseToken(user.id, { expiresIn: -30 }), /expired/],
      ["wrong audience", supabaseToken(user.id, { audience: "someone-else" }), /aud/],
      ["wrong issuer", supabaseToken(user.id, { issuer: "https://evil.example/auth/v1" }), /iss/],
      ["anon role", supabaseToken(user.id, { role: "anon" }), /not a signed-in user/],
      ["service role", supabaseToken(user.id, { role: "service_role" }), /not a signed-in user/],
    ];
    for (const [label, token, message] of refused) {
      const error = await expectTrpcError(
        bed.client({ accessToken: await token }).auth.me.query(),
        "UNAUTHORIZED",
      );
      expect(error.message, label).toMatch(message);
    }
  });

  it("leaves sign-in, sign-up and refresh to Supabase Auth", async () => {
    const user = await createTestUser(bed.database.db);
    await expectTrpcError(
      bed.client().auth.signIn.mutate({ email: user.email, password: user.password }),
      "PRECONDITION_FAILED",
      /Supabase/,
    );
    await expectTrpcError(
      bed.client().auth.signUp.mutate({ email: "new@example.com", password: "long enough" }),
      "PRECONDITION_FAILED",
      /Supabase/,
    );
    await expectTrpcError(
      bed.client().auth.refresh.mutate({ refreshToken: "r".repeat(40) }),
      "PRECONDITION_FAILED",
      /Supabase/,
    );
  });
});
