import type { Page } from "@playwright/test";
import { expect, fixtureUrl, signUpWithWorkspace, snapshot, test } from "./fixtures";

/** A run scans for real through the worker; on 2 shared cores that takes a while. */
const RUN_DONE = { timeout: 180_000 };
const RUN_ID = /\/agents\/[0-9a-f-]{36}\/runs\/([0-9a-f-]{36})$/;

/** Creates an agent from a template on /agents and waits for its page; returns its path. */
async function createFromTemplate(page: Page, templateId: string, name: string): Promise<string> {
  await page.goto("/agents");
  await page.getByLabel("Name").fill(name);
  await page.getByTestId(`template-${templateId}`).getByRole("button", { name: "Create" }).click();
  await expect(page).toHaveURL(/\/agents\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("agent-name")).toHaveText(name);
  return new URL(page.url()).pathname;
}

async function runWithInput(page: Page, input: unknown): Promise<string> {
  await page.getByLabel("Input (JSON)").fill(JSON.stringify(input));
  await page.getByRole("button", { name: "Run now" }).click();
  await expect(page).toHaveURL(RUN_ID);
  return new URL(page.url()).pathname;
}

test.describe("agents: web", () => {
  test.describe.configure({ timeout: 300_000 });

  test("create from a template, run it and watch it finish; another tenant gets 404", async ({
    page,
    browser,
    baseURL,
  }) => {
    await signUpWithWorkspace(page, "agent-owner", "Agent Partners");
    await page.getByRole("link", { name: "Agents", exact: true }).click();
    await expect(page).toHaveURL(/\/agents$/);
    const agentPath = await createFromTemplate(page, "stack-watch", "Portfolio watch");
    await expect(page.getByTestId("agent-status")).toHaveText("published");
    await expect(page.getByTestId("agent-version")).toHaveText("version 1");

    // The prompt preview shows the exact messages the first model call would send.
    await page.getByLabel("Input (JSON)").fill(JSON.stringify({ urls: [fixtureUrl("wordpressLike")] }));
    await page.getByRole("button", { name: "Preview prompt" }).click();
    await expect(page.getByTestId("prompt-message-system")).toContainText(
      'You are "Portfolio watch" (version 1)',
    );
    await expect(page.getByTestId("prompt-message-user")).toContainText(fixtureUrl("wordpressLike"));

    const runPath = await runWithInput(page, { urls: [fixtureUrl("wordpressLike")] });
    await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded", RUN_DONE);
    await expect(page.getByTestId("run-step").first()).toBeVisible();
    await expect(page.getByTestId("run-output")).toBeVisible();
    await expect(page.getByTestId("run-tokens")).toContainText("tokens");
    await expect(page.getByRole("button", { name: "Retry" })).toBeVisible();
    await snapshot(page, "agent-run-succeeded");

    await page.goto("/agents");
    const row = page.getByTestId("agent-row").filter({ hasText: "Portfolio watch" });
    await expect(row.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded");
    await snapshot(page, "agents-list");

    const stranger = await browser.newContext({ baseURL });
    const strangerPage = await stranger.newPage();
    await signUpWithWorkspace(strangerPage, "agent-stranger", "Other Fund");
    for (const path of [agentPath, runPath]) {
      const response = await strangerPage.goto(path);
      expect(response?.status()).toBe(404);
      await expect(strangerPage.getByRole("heading", { name: "Not found" })).toBeVisible();
      await expect(strangerPage.getByText("Portfolio watch")).toHaveCount(0);
    }
    await stranger.close();
  });

  test("edit and publish a draft, then approve a paused run", async ({ page }) => {
    await signUpWithWorkspace(page, "agent-approver", "Approval Capital");
    await createFromTemplate(page, "security-regression", "Regression guard");
    const editor = page.getByTestId("spec-editor");

    // A bad draft is refused field by field and nothing is saved.
    await editor.getByLabel("Budget: USD per run").fill("lots");
    await editor.getByRole("button", { name: "Save draft" }).click();
    await expect(editor.getByText("must be a number")).toBeVisible();

    await editor.getByLabel("Budget: USD per run").fill("1");
    await editor.getByLabel("Offline plan (JSON)").fill(
      JSON.stringify([
        {
          tool: "propose_action",
          input: { action: "issue.create", title: "Header grade dropped", body: "<b>not html</b>" },
        },
      ]),
    );
    await editor.getByRole("button", { name: "Save draft" }).click();
    await expect(page.getByText("Draft saved.")).toBeVisible();
    await page.getByRole("button", { name: "Publish draft" }).click();
    await expect(page.getByText("Published version 2.")).toBeVisible();
    await expect(page.getByTestId("agent-version")).toHaveText("version 2");
    await page.getByRole("button", { name: "Show changes" }).click();
    await expect(page.getByTestId("version-diff")).toContainText("plan:");

    await runWithInput(page, { urls: ["https://www.example.com/"] });
    await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "waiting_approval", RUN_DONE);
    await expect(page.getByTestId("approval")).toBeVisible();
    await snapshot(page, "agent-run-waiting-approval");
    await page.getByLabel("Note (optional)").fill("looks right");
    await page.getByRole("button", { name: "Approve" }).click();
    await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded", RUN_DONE);
    await expect(page.getByTestId("run-output")).toContainText("<b>not html</b>");
    await expect(page.getByTestId("run-output")).toContainText("approved");
  });

  test("cancel a running run", async ({ page }) => {
    await signUpWithWorkspace(page, "agent-canceller", "Cancel Holdings");
    await createFromTemplate(page, "stack-watch", "Slow watch");
    await runWithInput(page, { urls: [fixtureUrl("slow")] });
    await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "running", {
      timeout: 60_000,
    });
    await page.getByRole("button", { name: "Cancel run" }).click();
    await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "cancelled", RUN_DONE);
    await expect(page.getByRole("button", { name: "Retry" })).toBeVisible();
    await snapshot(page, "agent-run-cancelled");
  });

  test("the wizard goes from text to a published agent", async ({ page }) => {
    await signUpWithWorkspace(page, "agent-designer", "Design Ventures");
    await page.goto("/agents");
    await page.getByRole("link", { name: "Design with the wizard" }).click();
    await expect(page).toHaveURL(/\/agents\/new\/wizard$/);
    await page
      .getByLabel("Requirements")
      .fill("Review each vendor's security posture: headers, TLS and cookies, before we sign.");
    await page.getByRole("button", { name: "Analyse" }).click();
    await expect(page).toHaveURL(/\?session=[0-9a-f-]{36}$/);
    const proposed = page.getByTestId("proposed-agent-vendor-security-review");
    await proposed.getByLabel("Name").fill("Vendor check");
    await page.getByRole("button", { name: "Generate interactions" }).click();
    await expect(page.getByTestId("interactions-step")).toBeVisible();
    await page.getByRole("button", { name: "Compile" }).click();
    const compiled = page.getByTestId("compiled-agent-vendor-security-review");
    await expect(compiled).toBeVisible();
    await compiled.getByRole("button", { name: "Preview prompt" }).click();
    await expect(compiled.getByTestId("prompt-message-system")).toContainText('You are "Vendor check"');
    await snapshot(page, "agent-wizard-compiled");

    // Coming back to the session finds every step's output.
    await page.reload();
    await expect(compiled).toBeVisible();
    await compiled.getByRole("button", { name: "Create and publish" }).click();
    await compiled.getByRole("link", { name: "Open the agent" }).click();
    await expect(page.getByTestId("agent-name")).toHaveText("Vendor check");
    await expect(page.getByTestId("agent-status")).toHaveText("published");
    await expect(page.getByTestId("agent-version")).toHaveText("version 1");
  });
});
