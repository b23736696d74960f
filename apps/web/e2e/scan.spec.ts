import { expect, fixtureUrl, signUpWithWorkspace, snapshot, snapshotBoth, startScan, test } from "./fixtures";

/** A fixture scan runs the whole pipeline (crawl, Chromium render, detection); give it room on 2 shared cores. */
const SCAN_DONE = { timeout: 120_000 };

test.describe.serial("a scan from the dashboard to its evidence", () => {
  let scanPath = "";
  let screenshotPath = "";

  test("sign up, start a scan of the WordPress fixture, watch it finish, explore technologies, security, pages and evidence", async ({
    page,
  }) => {
    test.setTimeout(240_000);
    await signUpWithWorkspace(page, "scanner", "Northwind Deal Team");
    await startScan(page, fixtureUrl("wordpressLike"), { maxPages: 4, renderCount: 2 });
    scanPath = new URL(page.url()).pathname;

    await expect(page.getByRole("progressbar", { name: "Scan progress" })).toBeVisible();
    await expect(page.getByTestId("scan-progress-value")).toHaveText("100%", SCAN_DONE);
    await expect(page.getByTestId("scan-status")).toHaveText("Completed");
    await expect(page.getByTestId("stage-crawl")).toHaveAttribute("data-state", "done");

    const technologies = page.getByTestId("technology");
    // One technology's row by its exact name (an inferred row names its source in its basis).
    const technology = (name: string) =>
      technologies.filter({ has: page.getByTestId("technology-name").getByText(name, { exact: true }) });
    await expect(technology("WordPress").getByTestId("technology-version")).toHaveText("6.4.2");
    await expect(technologies.getByTestId("technology-name").filter({ hasText: /^PHP$/ })).toBeVisible();
    await expect(technologies.getByTestId("technology-name").filter({ hasText: /^jQuery$/ })).toBeVisible();
    // A layer the site does not show is marked as inferred, with what it follows from.
    await expect(technology("MySQL").getByTestId("technology-inferred")).toContainText("WordPress");
    await snapshotBoth(page, "scan-technologies");

    await page.getByRole("tab", { name: "Security" }).click();
    await expect(page.getByTestId("security-grade").first()).toHaveText(/^[A-F][+-]?$/);
    await expect(page.getByTestId("security-test").first()).toBeVisible();
    await snapshotBoth(page, "scan-security");

    await page.getByRole("tab", { name: "Vulnerable libraries" }).click();
    await expect(page.getByRole("tabpanel")).not.toBeEmpty();
    await snapshot(page, "scan-vulnerabilities-desktop");

    await page.getByRole("tab", { name: "Performance & third parties" }).click();
    await expect(page.getByRole("table", { name: "Page weight by resource type" })).toBeVisible();
    await expect(page.getByRole("table", { name: "Requests by host" })).toBeVisible();
    await snapshotBoth(page, "scan-performance");

    await page.getByRole("tab", { name: "Pages" }).click();
    const screenshot = page.getByRole("img", { name: /^Screenshot of / }).first();
    await expect(screenshot).toBeVisible();
    await expect
      .poll(() => screenshot.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0))
      .toBe(true);
    screenshotPath = (await screenshot.getAttribute("src"))!;
    await snapshotBoth(page, "scan-pages");

    // From a finding to the evidence behind it: snippet with the match marked, and its source URL.
    await page.getByRole("tab", { name: "Technologies" }).click();
    await technology("WordPress")
      .getByRole("button", { name: /evidence/ })
      .click();
    await expect(page.getByRole("tab", { name: "Evidence" })).toHaveAttribute("aria-selected", "true");
    await expect(page.getByLabel("Finding")).toHaveValue(/[0-9a-f-]{36}/);
    const item = page.getByTestId("evidence-item").first();
    await expect(item.locator("mark").first()).toBeVisible();
    await expect(item.getByTestId("evidence-source")).toHaveText(/^http:\/\/127\.0\.0\.1:\d+/);
    await page.getByLabel("Kind").selectOption("header");
    await expect(
      page.getByTestId("evidence-item").first().getByText("header", { exact: true }),
    ).toBeVisible();
    await snapshotBoth(page, "scan-evidence");

    await page.goto("/");
    const row = page.getByTestId("scan-row").first();
    await expect(row.getByTestId("scan-status")).toHaveText("Completed");
    await expect(row.getByTestId("security-grade")).toBeVisible();
    await expect(row.getByText(/WordPress 6\.4\.2/)).toBeVisible();
    await snapshotBoth(page, "dashboard-with-scans");
  });

  test("another tenant's user gets a 404 for the scan page and its screenshot, and sees nothing of it", async ({
    browser,
    baseURL,
  }) => {
    expect(scanPath, "the previous test's scan").not.toBe("");
    const context = await browser.newContext({ baseURL });
    const page = await context.newPage();
    await signUpWithWorkspace(page, "outsider", "Other Fund");

    const response = await page.goto(scanPath);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    await expect(page.locator("body")).not.toContainText("127.0.0.1");
    await expect(page.locator("body")).not.toContainText("WordPress");
    await snapshot(page, "scan-not-found");

    const image = await page.request.get(screenshotPath);
    expect(image.status()).toBe(404);
    expect(await image.text()).toBe("Not found");
    // Made-up ids look exactly the same as another tenant's.
    expect(
      (
        await page.request.get(
          screenshotPath.replace(/pages\/[0-9a-f-]{36}/, "pages/00000000-0000-4000-8000-000000000000"),
        )
      ).status(),
    ).toBe(404);
    await context.close();
  });
});

test("bad input in the new-scan form shows the API's message next to each field", async ({ page }) => {
  await signUpWithWorkspace(page, "typo", "Typo Capital");
  await page.getByLabel("Website").fill("ftp://example.com/");
  await page.getByLabel(/Code repositories/).fill("http://github.com/acme/app");
  await page.getByText("Advanced options").click();
  await page.getByLabel("Max pages").fill("0");
  await page.getByRole("button", { name: "Start scan" }).click();

  await expect(page.getByLabel("Website")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator("#field-url-error")).toHaveText("url must use http or https, not ftp");
  await expect(page.locator("#field-repositories-error")).toContainText(
    "line 1: repository must use https, not http",
  );
  await expect(page.getByLabel("Max pages")).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator('[id="field-options.maxPages-error"]')).not.toBeEmpty();
  await snapshotBoth(page, "new-scan-field-errors");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByText("No scans yet")).toBeVisible();
});

test("a running scan can be cancelled", async ({ page }) => {
  test.setTimeout(120_000);
  await signUpWithWorkspace(page, "canceller", "Cancel Partners");
  await startScan(page, fixtureUrl("slow"), { maxPages: 1, renderCount: 0 });
  await expect(page.getByTestId("scan-status")).toHaveText("Running", { timeout: 30_000 });
  await page.getByRole("button", { name: "Cancel scan" }).click();
  // Until the worker confirms, the button is a disabled "Cancelling…"; a quick worker may confirm first.
  const cancelling = page.getByRole("button", { name: "Cancelling…" });
  await expect(cancelling.or(page.getByRole("button", { name: "Retry" }))).toBeVisible();
  if (await cancelling.isVisible()) await expect(cancelling).toBeDisabled();
  await expect(page.getByTestId("scan-status")).toHaveText("Cancelled", { timeout: 90_000 });
  await expect(page.getByRole("button", { name: "Retry" })).toBeVisible();
  await snapshot(page, "scan-cancelled");
});

test("reloading during a scan picks the live progress up again", async ({ page }) => {
  test.setTimeout(150_000);
  await signUpWithWorkspace(page, "reloader", "Reload Ventures");
  // The largest fixture with every page rendered: long enough to reload in the middle.
  await startScan(page, fixtureUrl("wordpressLike"), { maxPages: 5, renderCount: 5 });
  await expect(page.getByTestId("scan-status")).toHaveText("Running", { timeout: 30_000 });

  await page.reload();
  await expect(page.getByTestId("live-indicator")).toHaveText("Live");
  await snapshotBoth(page, "scan-running");
  // No further reloads: the stream alone carries the scan to its end.
  await expect(page.getByTestId("scan-progress-value")).toHaveText("100%", SCAN_DONE);
  await expect(page.getByTestId("scan-status")).toHaveText("Completed");
});

test("a fixture page's injected <script> shows as text and never runs", async ({ page }) => {
  test.setTimeout(180_000);
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await signUpWithWorkspace(page, "injection", "Careful Capital");
  await startScan(page, fixtureUrl("injection"), { maxPages: 1, renderCount: 1 });
  await expect(page.getByTestId("scan-status")).toHaveText("Completed", SCAN_DONE);

  await page.getByRole("tab", { name: "Evidence" }).click();
  const snippets = page.getByTestId("evidence-snippet");
  await expect(snippets.first()).toBeVisible();
  await expect(snippets.filter({ hasText: "<script>alert(" }).first()).toBeVisible();
  await page.getByRole("tab", { name: "Pages" }).click();
  await expect(page.getByTestId("crawled-page").first()).toBeVisible();
  await page.getByRole("tab", { name: "Technologies" }).click();
  await page.goto("/");
  await expect(page.getByTestId("scan-row").first()).toBeVisible();

  expect(dialogs).toEqual([]);
  // No element from the scanned page made it into the DOM as markup.
  expect(await page.locator('img[src="x"]').count()).toBe(0);
});
