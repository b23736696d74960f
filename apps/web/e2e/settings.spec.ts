import { expect, signUp, signUpWithWorkspace, snapshotBoth, test, uniqueEmail } from "./fixtures";

test("settings: members and roles, API keys shown once and revoked, usage", async ({
  page,
  browser,
  baseURL,
}) => {
  // A colleague who has signed up; they join only by accepting the invitation.
  const colleagueEmail = uniqueEmail("colleague");
  const other = await browser.newContext({ baseURL });
  const colleaguePage = await other.newPage();
  await signUp(colleaguePage, colleagueEmail);

  await signUpWithWorkspace(page, "admin", "Settings Partners");
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "Usage", exact: true })).toBeVisible();

  await page.getByLabel("E-mail").fill("not an address");
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  await expect(page.locator("#field-email-error")).toHaveText("must be an e-mail address");

  // An address without an account gets an invitation like any other (no account oracle); revoked here.
  await page.getByLabel("E-mail").fill("nobody-here@example.test");
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  const nobody = page.getByTestId("pending-invitation").filter({ hasText: "nobody-here@example.test" });
  await expect(nobody).toBeVisible();
  await page.getByRole("button", { name: "Revoke the invitation of nobody-here@example.test" }).click();
  await expect(nobody).toHaveCount(0);

  await page.getByLabel("E-mail").fill(colleagueEmail);
  await page.getByLabel("Role", { exact: true }).selectOption("viewer");
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  await expect(page.getByTestId("pending-invitation").filter({ hasText: colleagueEmail })).toBeVisible();
  await expect(page.getByTestId("member").filter({ hasText: colleagueEmail })).toHaveCount(0);

  await colleaguePage.reload();
  await colleaguePage.getByRole("button", { name: "Accept the invitation to Settings Partners" }).click();
  await expect(colleaguePage.getByTestId("active-tenant-name")).toHaveText("Settings Partners");
  await other.close();

  await page.reload();
  await expect(page.getByTestId("pending-invitation")).toHaveCount(0);
  const colleague = page.getByTestId("member").filter({ hasText: colleagueEmail });
  await expect(colleague.getByLabel(`Role of ${colleagueEmail}`)).toHaveValue("viewer");
  await colleague.getByLabel(`Role of ${colleagueEmail}`).selectOption("member");
  await page.reload();
  await expect(
    page.getByTestId("member").filter({ hasText: colleagueEmail }).getByLabel(`Role of ${colleagueEmail}`),
  ).toHaveValue("member");

  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.locator("#field-name-error")).toHaveText("must not be empty");
  await page.getByLabel("Key name").fill("CI pipeline");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = page.getByTestId("api-key-secret");
  await expect(secret).toHaveText(/^tsk_[a-z2-9]{10}_[A-Za-z0-9_-]{43}$/);
  await expect(page.getByRole("button", { name: "Copy" })).toBeVisible();
  await snapshotBoth(page, "settings");

  const key = page.getByTestId("api-key").filter({ hasText: "CI pipeline" });
  await expect(key).toContainText("active");
  await page.getByRole("button", { name: "Done" }).click();
  await page.reload();
  // Shown once: never again after the page is left.
  await expect(page.getByTestId("api-key-secret")).toHaveCount(0);
  await page.getByRole("button", { name: "Revoke CI pipeline" }).click();
  await expect(page.getByTestId("api-key").filter({ hasText: "CI pipeline" })).toContainText("revoked");

  await page.getByRole("button", { name: `Remove ${colleagueEmail}` }).click();
  await expect(page.getByTestId("member").filter({ hasText: colleagueEmail })).toHaveCount(0);
});
