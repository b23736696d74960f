import { demoAccount, expect, fixtureUrl, signInThroughApi, startScan, test } from "./fixtures";

/** A fixture scan runs the whole pipeline (crawl, Chromium render, detection); give it room on 2 shared cores. */
const SCAN_DONE = { timeout: 120_000 };

test("trust: seeded demo user gets live progress", async ({ page }) => {
  test.setTimeout(240_000);
  // The stranger's walk: sign in as the seeded user (no sign-up, no tenant chosen yet) and watch a scan finish.
  // The sign-in form itself is auth.spec.ts's; this signs in through the endpoint the form posts to.
  const account = demoAccount();
  await signInThroughApi(page, account);
  await page.goto("/");
  await expect(page.getByTestId("signed-in-as")).toHaveText(account.email);
  await expect(page.getByTestId("active-tenant-name")).toHaveText("Demo Company");

  await startScan(page, fixtureUrl("wordpressLike"), { maxPages: 2, renderCount: 1 });
  // Only the live stream moves the bar: the page is never reloaded.
  await expect(page.getByTestId("scan-progress-value")).toHaveText("100%", SCAN_DONE);
  await expect(page.getByTestId("scan-status")).toHaveText("Completed");
  await expect(page.getByText("Live progress is interrupted")).toHaveCount(0);
});
