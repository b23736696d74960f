import { startFakeSupabaseAuth, type FakeSupabaseAuth } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expireSupabaseSessionCookies,
  supabaseAccessToken,
  supabaseServerClient,
  type CookieToSet,
  type SupabaseServerOptions,
} from "./supabase";

/**
 * Server-side token extraction from `@supabase/ssr`'s cookies, with the real
 * supabase-js client talking to the fake Supabase Auth server over HTTP.
 */

/** A browser's cookie jar: what the server reads, plus what it was told to write. */
class Jar {
  readonly values = new Map<string, string>();
  readonly written: CookieToSet[] = [];
  getAll = () => [...this.values].map(([name, value]) => ({ name, value }));
  setAll = (cookies: CookieToSet[]) => {
    for (const cookie of cookies) {
      this.written.push(cookie);
      if (cookie.value === "" || cookie.options.maxAge === 0) this.values.delete(cookie.name);
      else this.values.set(cookie.name, cookie.value);
    }
  };
}

let fresh: FakeSupabaseAuth;
/** Tokens live 30 s, inside supabase-js's renewal margin: every read renews them. */
let expiring: FakeSupabaseAuth;
/** Tokens live 1 s: once it has passed, the session only goes on if the refresh succeeds. */
let expired: FakeSupabaseAuth;
const PASSWORD = "correct horse battery";
let counter = 0;

beforeAll(async () => {
  fresh = await startFakeSupabaseAuth();
  expiring = await startFakeSupabaseAuth({ accessTokenTtlSeconds: 30 });
  expired = await startFakeSupabaseAuth({ accessTokenTtlSeconds: 1 });
});
afterAll(async () => {
  await fresh.close();
  await expiring.close();
  await expired.close();
});

const optionsFor = (auth: FakeSupabaseAuth): SupabaseServerOptions => ({
  url: auth.url,
  anonKey: auth.anonKey,
  secureCookies: false,
});

/** Signs a new user up the way the browser does, leaving the session cookies in a jar. */
async function signedInJar(auth: FakeSupabaseAuth): Promise<{ jar: Jar; accessToken: string }> {
  const jar = new Jar();
  counter += 1;
  const { data, error } = await supabaseServerClient(optionsFor(auth), jar).auth.signUp({
    email: `web${counter}@example.test`,
    password: PASSWORD,
  });
  expect(error).toBeNull();
  return { jar, accessToken: data.session!.access_token };
}

/** Until a 1-second access token (second-granular `exp`) has certainly expired. */
const outliveAccessToken = () => new Promise((resolve) => setTimeout(resolve, 1_100));

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as {
    sub: string;
    session_id: string;
  };

describe("supabaseAccessToken", () => {
  it("reads the access token from the session cookies without renewing a fresh one", async () => {
    const { jar, accessToken } = await signedInJar(fresh);
    expect([...jar.values.keys()].some((name) => /^sb-.+-auth-token/.test(name))).toBe(true);
    const reader = new Jar();
    for (const [name, value] of jar.values) reader.values.set(name, value);
    await expect(supabaseAccessToken(optionsFor(fresh), reader)).resolves.toBe(accessToken);
    expect(reader.written).toEqual([]);
  });

  it("is null without session cookies", async () => {
    await expect(supabaseAccessToken(optionsFor(fresh), new Jar())).resolves.toBeNull();
  });

  it("renews an expiring session through Supabase Auth and writes the rotated cookies", async () => {
    const { jar, accessToken } = await signedInJar(expiring);
    const before = new Map(jar.values);
    const renewed = await supabaseAccessToken(optionsFor(expiring), jar);
    expect(renewed).not.toBeNull();
    expect(renewed).not.toBe(accessToken);
    expect(claimsOf(renewed!)).toMatchObject({
      sub: claimsOf(accessToken).sub,
      session_id: claimsOf(accessToken).session_id,
    });
    expect(jar.written.length).toBeGreaterThan(0);
    expect(jar.values).not.toEqual(before);
    expect(
      jar.written.every((cookie) => cookie.options.sameSite === "lax" && cookie.options.path === "/"),
    ).toBe(true);
  });

  it("is null, and clears the cookies, once Supabase refuses the refresh token of an expired session (signed out elsewhere)", async () => {
    const { jar } = await signedInJar(expired);
    const elsewhere = new Jar();
    for (const [name, value] of jar.values) elsewhere.values.set(name, value);
    await supabaseServerClient(optionsFor(expired), elsewhere).auth.signOut({ scope: "global" });
    await outliveAccessToken();

    await expect(supabaseAccessToken(optionsFor(expired), jar)).resolves.toBeNull();
    expect(jar.values.size).toBe(0);
  });
});

describe("expireSupabaseSessionCookies", () => {
  it("expires the session cookie and its chunks, and nothing else", () => {
    const expired: string[] = [];
    expireSupabaseSessionCookies(
      [
        { name: "sb-127-auth-token.0" },
        { name: "sb-127-auth-token.1" },
        { name: "sb-abc-auth-token" },
        { name: "tsiq_tenant" },
        { name: "sb-127-auth-token-code-verifier" },
      ],
      { set: (name, _value, options) => expired.push(`${name}:${options.maxAge}`) },
    );
    expect(expired).toEqual(["sb-127-auth-token.0:0", "sb-127-auth-token.1:0", "sb-abc-auth-token:0"]);
  });
});
