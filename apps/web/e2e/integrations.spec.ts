import type { Page } from "@playwright/test";
import { startFakeIntegrations, type FakeIntegrations } from "@techscaniq/fixtures";
import { expect, signUpWithWorkspace, snapshot, test } from "./fixtures";

/** The run waits for the worker twice (the paused step, then the delivery job); 2 shared cores. */
const WORKER = { timeout: 180_000 };

/** Adds a Jira connection through the Integrations page's form and tests it with its button. */
async function connectJira(page: Page, fake: FakeIntegrations, name: string, apiToken: string) {
  const form = page.getByRole("form", { name: "Add a connection" });
  await form.getByLabel("Provider").selectOption({ label: "Jira Cloud" });
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Site URL").fill(fake.jira.baseUrl);
  await form.getByLabel("Project key").fill(fake.jira.projectKey);
  await form.getByLabel("Account e-mail").fill(fake.jira.email);
  await form.getByLabel("API token").fill(apiToken);
  await form.getByRole("button", { name: "Add connection" }).click();
  const connection = page.getByRole("list", { name: "Connections" }).getByRole("listitem").filter({
    hasText: name,
  });
  await expect(connection).toContainText("set ••••");
  await expect(connection).not.toContainText(apiToken);
  await connection.getByRole("button", { name: "Test" }).click();
  return connection;
}

test.describe("integrations: e2e", () => {
  test.describe.configure({ timeout: 360_000 });
  let fake: FakeIntegrations;

  test.beforeAll(async () => {
    // The stack's web app and worker may reach 127.0.0.1 (TECHSCANIQ_ALLOW_PRIVATE=1).
    fake = await startFakeIntegrations();
  });
  test.afterAll(async () => {
    await fake.close();
  });

  test("connect Jira, approve an agent's issue, see the delivery and the issue; a failed check alerts", async ({
    page,
  }) => {
    await signUpWithWorkspace(page, "integrations-admin", "Integration Partners");
    await page.goto("/settings/integrations");
    const jira = await connectJira(page, fake, "Security Jira", fake.jira.apiToken);
    await expect(jira).toContainText(/checked .* in \d+ ms/);
    await expect(jira.getByText("ok", { exact: true })).toBeVisible();
    expect(fake.requestsTo("jira").map((r) => `${r.method} ${r.path}`)).toContain("GET /rest/api/3/myself");
    await expect(page.getByTestId("integration-alerts")).toHaveCount(0);

    // An agent that may file a Jira issue, once a member approves.
    await page.goto("/agents");
    await page.getByLabel("Name").fill("Jira filer");
    await page.getByTestId("template-security-regression").getByRole("button", { name: "Create" }).click();
    await expect(page).toHaveURL(/\/agents\/[0-9a-f-]{36}$/);
    const editor = page.getByTestId("spec-editor");
    await editor.getByLabel("Autonomy").selectOption("approve");
    await editor.getByLabel("Actions it may propose (comma-separated)").fill("jira.create_issue");
    await editor.getByLabel("Offline plan (JSON)").fill(
      JSON.stringify([
        {
          tool: "propose_action",
          input: {
            action: "jira.create_issue",
            title: "CSP header removed",
            body: "The **Content-Security-Policy** header is gone.",
            severity: "high",
          },
        },
      ]),
    );
    await editor.getByRole("button", { name: "Save draft" }).click();
    await expect(page.getByText("Draft saved.")).toBeVisible();
    await page.getByRole("button", { name: "Publish draft" }).click();
    await expect(page.getByText("Published version 2.")).toBeVisible();

    await page.getByLabel("Input (JSON)").fill(JSON.stringify({ urls: ["https://www.example.com/"] }));
    await page.getByRole("button", { name: "Run now" }).click();
    await expect(page).toHaveURL(/\/agents\/[0-9a-f-]{36}\/runs\/[0-9a-f-]{36}$/);
    const runPath = new URL(page.url()).pathname;
    await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "waiting_approval", WORKER);
    // Nothing is filed before the approval.
    expect(fake.state.jiraIssues).toHaveLength(0);
    await page.getByRole("button", { name: "Approve" }).click();
    await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded", WORKER);

    const delivery = page.getByTestId("run-deliveries").getByTestId("delivery");
    await expect(delivery).toHaveAttribute("data-state", "succeeded", WORKER);
    await expect(delivery).toContainText("create_issue");
    await expect(delivery).toContainText("via Security Jira");
    await expect(delivery).toContainText("201");
    await expect(delivery).toContainText(/\d+ ms/);
    const key = (await delivery.getByTestId("delivery-external-id").textContent())?.trim();
    expect(key).toMatch(/^OPS-\d+$/);
    // A succeeded delivery is not offered for replay.
    await expect(delivery.getByRole("button", { name: "Replay" })).toHaveCount(0);
    await snapshot(page, "agent-run-delivery");

    expect(fake.state.jiraIssues).toHaveLength(1);
    expect(fake.state.jiraIssues[0]).toMatchObject({ key, fields: { summary: "CSP header removed" } });

    // A connection whose check fails raises an alert on the Integrations page and on the run page.
    await page.goto("/settings/integrations");
    const wrong = await connectJira(page, fake, "Stale Jira", "ATATTwrong-token-0000");
    await expect(wrong.getByText("failing", { exact: true })).toBeVisible();
    const alerts = page.getByTestId("integration-alerts");
    await expect(alerts).toContainText('The jira connection "Stale Jira" failed its last check');
    await snapshot(page, "integrations-alert");
    await page.goto(runPath);
    await expect(page.getByTestId("integration-alerts")).toContainText('"Stale Jira" failed its last check');
    await expect(page.getByTestId("integration-alerts")).not.toContainText("Security Jira");
  });
});
