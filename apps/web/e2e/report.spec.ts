import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { z } from "zod";
import { expect, fixtureUrl, signUpWithWorkspace, snapshot, snapshotBoth, startScan, test } from "./fixtures";

/** The whole pipeline (crawl, render, detection) and then the offline report with its four exports, on 2 shared cores. */
const SCAN_DONE = { timeout: 120_000 };
const REPORT_READY = { timeout: 90_000 };

/** The parts of the JSON export the tests read. */
const ReportJson = z.object({
  claims: z.array(z.object({ id: z.string(), text: z.string(), evidence: z.array(z.string()) })),
  evidence: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      url: z.string(),
      locator: z.string(),
      snippet: z.string(),
      contentHash: z.string(),
    }),
  ),
});

/** From a finished scan's page to its report page, once the report card offers it. */
async function openReport(page: Page): Promise<void> {
  await page.getByRole("link", { name: "Open report" }).click(REPORT_READY);
  await expect(page).toHaveURL(/\/scans\/[0-9a-f-]{36}\/report$/);
  await expect(page.getByTestId("report-status")).toHaveText("Ready");
}

async function download(page: Page, linkName: string): Promise<Buffer> {
  const link = page
    .getByRole("group", { name: "Export the report" })
    .getByRole("link", { name: linkName, exact: true });
  const [file] = await Promise.all([page.waitForEvent("download"), link.click()]);
  return readFile((await file.path())!);
}

async function downloadJson(page: Page): Promise<z.infer<typeof ReportJson>> {
  return ReportJson.parse(JSON.parse((await download(page, "JSON")).toString("utf8")));
}

test.describe.serial("a scan's report", () => {
  let reportPath = "";
  let exportPath = "";

  test("sections with citations that open their evidence, scores, exports, a regenerated version, and a re-scan's changes", async ({
    page,
  }) => {
    test.setTimeout(300_000);
    await signUpWithWorkspace(page, "reader", "Harbour Diligence");
    await startScan(page, fixtureUrl("wordpressLike"), { maxPages: 3, renderCount: 1 });
    await expect(page.getByTestId("scan-status")).toHaveText("Completed", SCAN_DONE);
    await openReport(page);
    reportPath = new URL(page.url()).pathname;

    const sections = page.getByTestId("report-section");
    await expect(sections.first().getByRole("heading", { level: 2 })).toHaveText("Executive summary");
    expect(await sections.count()).toBeGreaterThan(5);
    await expect(page.getByTestId("claim").first()).toBeVisible();
    const scores = page.getByTestId("score");
    await expect(scores.first()).toBeVisible();
    await expect(scores.first().getByTestId("score-value")).toHaveText(/^\d+\/100$|not judged/);
    await expect(scores.first().getByTestId("score-rule")).toContainText("Rule:");

    const pdf = await download(page, "PDF");
    expect(pdf.subarray(0, 4).toString("latin1")).toBe("%PDF");
    expect(pdf.length).toBeGreaterThan(1024);
    const json = await downloadJson(page);
    const cited = new Set(json.evidence.map((item) => item.id));
    expect(json.claims.length).toBeGreaterThan(0);
    for (const jsonClaim of json.claims)
      for (const id of jsonClaim.evidence) expect(cited.has(id), `${jsonClaim.id} cites ${id}`).toBe(true);
    exportPath = (await page.getByRole("link", { name: "PDF", exact: true }).getAttribute("href"))!;

    // The claim naming WordPress's version, and its citation of the item that shows the version: the drawer shows that item, version marked.
    const wordpress = json.claims.find((c) => c.text.includes("WordPress 6.4.2"));
    expect(wordpress, "a claim naming WordPress 6.4.2").toBeDefined();
    const index = json.evidence.findIndex(
      (item) => wordpress!.evidence.includes(item.id) && item.snippet.includes("6.4.2"),
    );
    expect(index, "an item cited by that claim showing 6.4.2").toBeGreaterThanOrEqual(0);
    const evidence = json.evidence[index]!;
    const claim = page.locator(`[data-claim-id="${wordpress!.id}"]`).first();
    const more = claim.getByRole("button", { name: /^Show \d+ more citations$/ });
    if (await more.isVisible()) await more.click();
    await claim.getByRole("button", { name: `Evidence ${index + 1}`, exact: true }).click();
    const drawer = page.getByRole("dialog");
    await expect(drawer).toBeVisible();
    await expect(drawer.getByTestId("evidence-cited-by")).toContainText("WordPress 6.4.2");
    await expect(drawer.getByTestId("evidence-kind")).toHaveText(evidence.kind);
    await expect(drawer.getByTestId("evidence-locator")).toHaveText(evidence.locator);
    await expect(drawer.getByTestId("evidence-snippet")).toHaveText(evidence.snippet);
    await expect(
      drawer.getByTestId("evidence-snippet").locator("mark").filter({ hasText: "6.4.2" }).first(),
    ).toBeVisible();
    const source = drawer.getByTestId("evidence-source").getByRole("link");
    await expect(source).toHaveAttribute("href", evidence.url);
    await expect(source).toHaveAttribute("rel", "noopener noreferrer");
    await expect(drawer.getByTestId("evidence-hash")).toHaveText(evidence.contentHash);
    await snapshotBoth(page, "report-evidence");
    await page.keyboard.press("Escape");
    await expect(drawer).toBeHidden();
    await page.evaluate(() => window.scrollTo(0, 0));
    await snapshotBoth(page, "report");

    // A new version is written in the background; the page follows it and keeps the old one pickable.
    await page.getByRole("button", { name: "Regenerate" }).click();
    await expect(page.getByTestId("report-pending")).toBeVisible();
    await expect(page.getByTestId("report-status")).toHaveText("Ready", REPORT_READY);
    const picker = page.getByLabel("Version");
    await expect(picker.locator("option")).toHaveCount(2);
    await expect(picker).toHaveValue("2");
    await picker.selectOption("1");
    await expect(page).toHaveURL(/\?version=1$/);
    await expect(page.getByTestId("report-version-line")).toContainText("version 1 · written");
    await expect(picker).toHaveValue("1");

    // A re-scan's report says what changed since this scan (the fixture is the same, so nothing did).
    const scanPath = reportPath.replace(/\/report$/, "");
    await page.goto(scanPath);
    await page.getByRole("button", { name: "Re-scan" }).click();
    await expect(page).not.toHaveURL(new RegExp(`${scanPath}$`));
    await expect(page.getByTestId("scan-status")).toHaveText("Completed", SCAN_DONE);
    await openReport(page);
    const changes = page.getByTestId("report-changes");
    await expect(changes.getByRole("heading", { name: "Changes since the previous scan" })).toBeVisible();
    await expect(changes).toContainText("Nothing changed");
    await expect(changes.getByRole("link", { name: /previous scan/ })).toHaveAttribute("href", scanPath);
  });

  test("another tenant's user gets a 404 for the report page and its export", async ({
    browser,
    baseURL,
  }) => {
    expect(reportPath, "the previous test's report").not.toBe("");
    const context = await browser.newContext({ baseURL });
    const page = await context.newPage();
    await signUpWithWorkspace(page, "report-outsider", "Elsewhere Capital");
    const response = await page.goto(reportPath);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    await expect(page.locator("body")).not.toContainText("WordPress");
    const exported = await page.request.get(exportPath);
    expect(exported.status()).toBe(404);
    expect(await exported.text()).toBe("Not found");
    await context.close();
  });
});

test("the injection fixture's report shows the injected markup only as text", async ({ page }) => {
  test.setTimeout(240_000);
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await signUpWithWorkspace(page, "report-injection", "Sceptical Partners");
  await startScan(page, fixtureUrl("injection"), { maxPages: 1, renderCount: 0 });
  await expect(page.getByTestId("scan-status")).toHaveText("Completed", SCAN_DONE);
  await openReport(page);
  await expect(page.getByTestId("report-section").first()).toBeVisible();

  // The evidence the report cites carries the site's markup (in headers and cookies); the drawer shows it as characters.
  const json = await downloadJson(page);
  const index = json.evidence.findIndex((item) => /<script|<img/i.test(item.snippet));
  expect(index, "a cited evidence item with injected markup").toBeGreaterThanOrEqual(0);
  const markup = /<script>[^<]*<\/script>|<img[^>]*>/i.exec(json.evidence[index]!.snippet)![0];
  const list = page.getByTestId("evidence-list");
  await list.locator("summary").click();
  await list.getByRole("button").nth(index).click();
  await expect(page.getByRole("dialog").getByTestId("evidence-snippet")).toContainText(markup);
  await snapshot(page, "report-injection");
  await page.keyboard.press("Escape");

  expect(dialogs).toEqual([]);
  // No element from the scanned site made it into the DOM as markup.
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  expect(await page.locator("main script").count()).toBe(0);
});
