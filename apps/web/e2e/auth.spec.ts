import { expect, PASSWORD, signUpThroughForm, snapshot, test, uniqueEmail } from "./fixtures";

test("sign up, sign out, sign in, create and switch workspaces, sign out", async ({ page, context }) => {
  const email = uniqueEmail("analyst");

  await page.goto("/sign-up");
  await snapshot(page, "sign-up");
  await signUpThroughForm(page, email);
  await expect(page.getByRole("heading", { name: "Create your first workspace" })).toBeVisible();
  await snapshot(page, "dashboard-no-workspace");

  const cookies = await context.cookies();
  const access = cookies.find((cookie) => cookie.name === "tsiq_access");
  expect(access).toMatchObject({ httpOnly: true, sameSite: "Lax" });

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  expect((await context.cookies()).filter((cookie) => cookie.name.startsWith("tsiq_"))).toEqual([]);

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText(email);

  await page.getByRole("link", { name: "Create a workspace" }).click();
  await expect(page).toHaveURL(/\/tenants\/new$/);
  await page.getByLabel("Name", { exact: true }).fill("Acme Diligence");
  await expect(page.getByLabel("Short name")).toHaveValue("acme-diligence");
  await snapshot(page, "new-workspace");
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page.getByTestId("active-tenant-name")).toHaveText("Acme Diligence");
  await expect(page.getByText("No scans yet")).toBeVisible();
  await snapshot(page, "dashboard");

  await page.getByRole("link", { name: "New workspace" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Second Fund");
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page.getByTestId("active-tenant-name")).toHaveText("Second Fund");

  const switcher = page.getByLabel("Active workspace");
  await expect(switcher.getByRole("option")).toHaveText(["Acme Diligence", "Second Fund"]);
  await switcher.selectOption({ label: "Acme Diligence" });
  await expect(page.getByTestId("active-tenant-name")).toHaveText("Acme Diligence");
  // The choice is kept: a fresh load shows the same workspace.
  await page.reload();
  await expect(page.getByTestId("active-tenant-name")).toHaveText("Acme Diligence");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("a wrong password shows an error and signs nobody in", async ({ page, context }) => {
  const email = uniqueEmail("wrong-password");
  await signUpThroughForm(page, email);
  await context.clearCookies();

  await page.goto("/sign-in");
  await snapshot(page, "sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Invalid e-mail or password" })).toBeVisible();
  await snapshot(page, "sign-in-wrong-password");
  await expect(page).toHaveURL(/\/sign-in$/);
  expect((await context.cookies()).filter((cookie) => cookie.name.startsWith("tsiq_"))).toEqual([]);
});

test("bad sign-up input shows the API's field errors next to the fields", async ({ page }) => {
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();

  const password = page.getByLabel("Password");
  await expect(password).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#field-password-error")).toHaveText("must be at least 8 characters");
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#field-email-error")).not.toBeEmpty();
  await snapshot(page, "sign-up-field-errors");
  await expect(page).toHaveURL(/\/sign-up$/);
});

test("a signed-out visitor of an app page is sent to sign-in and back afterwards", async ({ page }) => {
  const email = uniqueEmail("redirect");
  await signUpThroughForm(page, email);
  await page.context().clearCookies();

  await page.goto("/tenants/new");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Ftenants%2Fnew$/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/tenants\/new$/);
  await expect(page.getByRole("heading", { name: "New workspace" })).toBeVisible();
});

test("an expired access token is refreshed transparently, on page loads and on API calls", async ({
  page,
  context,
  baseURL,
}) => {
  await signUpThroughForm(page, uniqueEmail("refresh"));
  const cookie = async (name: string) =>
    (await context.cookies()).find((entry) => entry.name === name)?.value;
  const expiredToken = (token: string) => {
    const [header, payload] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as Record<string, unknown>;
    const expired = Buffer.from(
      JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }),
    ).toString("base64url");
    return `${header}.${expired}.invalid-signature`;
  };
  const replaceAccess = async (value: string) =>
    context.addCookies([{ name: "tsiq_access", value, url: baseURL!, httpOnly: true, sameSite: "Lax" }]);

  // A page load: the proxy trades the refresh token before the page renders.
  const firstRefresh = await cookie("tsiq_refresh");
  await replaceAccess(expiredToken((await cookie("tsiq_access"))!));
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Create your first workspace" })).toBeVisible();
  const secondRefresh = await cookie("tsiq_refresh");
  expect(secondRefresh).not.toBe(firstRefresh);

  // An API call from the page: the tRPC route refreshes and the mutation still succeeds.
  await page.getByRole("link", { name: "Create a workspace" }).click();
  await replaceAccess(expiredToken((await cookie("tsiq_access"))!));
  await page.getByLabel("Name", { exact: true }).fill("Refreshed Capital");
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page.getByTestId("active-tenant-name")).toHaveText("Refreshed Capital");
  expect(await cookie("tsiq_refresh")).not.toBe(secondRefresh);
});
