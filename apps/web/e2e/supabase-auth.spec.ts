import { generateKeyPairSync, sign } from "node:crypto";
import { test as base, expect, type BrowserContext } from "@playwright/test";
import { PASSWORD, snapshot, uniqueEmail } from "./fixtures";

/**
 * The same build in Supabase mode (e2e/stack.ts's second `next start`): the
 * browser signs in with Supabase Auth (the fake GoTrue server), the session
 * lives in @supabase/ssr's cookies, and the API verifies the access tokens
 * with the fake's JWKS under the same RLS policies.
 */
const test = base.extend({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this destructuring.
  baseURL: async ({}, use) => {
    const url = process.env.E2E_SUPABASE_BASE_URL;
    if (!url)
      throw new Error(
        "E2E_SUPABASE_BASE_URL is not set: run through playwright.config.ts (its global setup starts the app)",
      );
    await use(url);
  },
});

const SESSION_COOKIE = /^sb-.+-auth-token(\.\d+)?$/;

/** The session @supabase/ssr keeps in cookies: `base64-` + base64url(JSON), possibly split into `.0`, `.1`, … chunks. */
async function supabaseSession(
  context: BrowserContext,
): Promise<{ name: string; session: { access_token: string } & Record<string, unknown> }> {
  const cookies = (await context.cookies()).filter((cookie) => SESSION_COOKIE.test(cookie.name));
  expect(cookies.length, "a Supabase session cookie").toBeGreaterThan(0);
  const name = cookies[0]!.name.replace(/\.\d+$/, "");
  const chunkIndex = (cookieName: string) => Number(/\.(\d+)$/.exec(cookieName)?.[1] ?? 0);
  const value = cookies
    .sort((a, b) => chunkIndex(a.name) - chunkIndex(b.name))
    .map((cookie) => cookie.value)
    .join("");
  expect(value.startsWith("base64-")).toBe(true);
  return {
    name,
    session: JSON.parse(Buffer.from(value.slice("base64-".length), "base64url").toString("utf8")),
  };
}

/** The same header and claims, signed by a key the project's JWKS does not contain. */
function forge(token: string): string {
  const [header, payload] = token.split(".");
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const signature = sign("sha256", Buffer.from(`${header}.${payload}`), {
    key: privateKey,
    dsaEncoding: "ieee-p1363",
  });
  return `${header}.${payload}.${signature.toString("base64url")}`;
}

test("Supabase mode: sign up, create a workspace, sign out, sign in and see it; a forged token is refused", async ({
  page,
  context,
  baseURL,
}) => {
  const email = uniqueEmail("supabase");

  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Create your first workspace" })).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
  const signedUpCookies = await context.cookies();
  expect(signedUpCookies.some((cookie) => SESSION_COOKIE.test(cookie.name))).toBe(true);
  expect(signedUpCookies.filter((cookie) => cookie.name === "tsiq_access")).toEqual([]);

  await page.getByRole("link", { name: "Create a workspace" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Supabase Fund");
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page.getByTestId("active-tenant-name")).toHaveText("Supabase Fund");
  await snapshot(page, "supabase-dashboard");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  expect((await context.cookies()).filter((cookie) => SESSION_COOKIE.test(cookie.name))).toEqual([]);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Invalid e-mail or password" })).toBeVisible();

  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(email);
  await expect(page.getByTestId("active-tenant-name")).toHaveText("Supabase Fund");

  // The API takes the Supabase access token as a Bearer token, and refuses the same claims signed by another key.
  const { name, session } = await supabaseSession(context);
  const me = (token: string) =>
    page.request.get("/api/trpc/auth.me", { headers: { authorization: `Bearer ${token}` } });
  const accepted = await me(session.access_token);
  expect(accepted.status()).toBe(200);
  expect(JSON.stringify(await accepted.json())).toContain(email);
  const forged = forge(session.access_token);
  const refused = await me(forged);
  expect(refused.status()).toBe(401);

  // A forged token in the session cookie: the proxy's JWKS check fails and the browser is sent to sign in.
  const forgedValue = `base64-${Buffer.from(JSON.stringify({ ...session, access_token: forged })).toString("base64url")}`;
  await context.clearCookies();
  await context.addCookies([{ name, value: forgedValue, url: baseURL! }]);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("Supabase mode: a too-short password shows Supabase Auth's error next to the field", async ({
  page,
}) => {
  const email = uniqueEmail("supabase-errors");
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("abc");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#field-password-error")).toContainText("at least 6 characters");
  await expect(page).toHaveURL(/\/sign-up$/);
});
