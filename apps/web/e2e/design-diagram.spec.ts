import { designFromText } from "@techscaniq/contracts/agents";
import { startFakeLlm, type FakeLlmServer } from "@techscaniq/fixtures";
import type { Page } from "@playwright/test";
import { expect, signUpWithWorkspace, snapshot, test } from "./fixtures";

/**
 * The design wizard's diagram screens. The vision model is the fake OpenAI server, started here on
 * 127.0.0.1 and named in the workspace's AI settings (the stack's web and worker allow private model
 * servers); the stack's worker has no deployment key, so a workspace without settings has no model.
 */

const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.alloc(64, 7),
]);
const ANALYSIS = designFromText(
  "Watch our portfolio companies' technology stacks and flag security regressions every month.",
);
const DIAGRAM_LABEL = "Process or architecture diagram (PNG, JPEG, WebP)";
/** The worker's job is queued behind other specs' work on 2 shared cores. */
const ANALYSED = { timeout: 120_000 };

let fake: FakeLlmServer;

test.beforeAll(async () => {
  fake = await startFakeLlm();
});

test.afterAll(async () => {
  await fake?.close();
});

async function uploadDiagram(page: Page, file: { name: string; mimeType: string; buffer: Buffer }) {
  await page.goto("/agents/new/wizard");
  await page.getByLabel(DIAGRAM_LABEL).setInputFiles(file);
}

test.describe("agents: wizard diagram screens", () => {
  test.describe.configure({ timeout: 240_000 });

  test("a PNG diagram is analysed by the workspace's vision model into an editable analysis", async ({
    page,
  }) => {
    await signUpWithWorkspace(page, "diagram-vision", "Diagram Partners");
    await page.getByRole("link", { name: "Settings" }).click();
    const openai = page.getByTestId("ai-provider-openai");
    await openai.getByLabel("API key", { exact: true }).fill("sk-e2e-vision-key-0001");
    await openai.getByLabel("Model").fill("gpt-4o");
    await openai.getByLabel("Base URL").fill(fake.openaiBaseUrl);
    await openai.getByRole("button", { name: "Save OpenAI" }).click();
    await expect(openai.getByTestId("ai-key-status")).toContainText("Key set");

    fake.reset();
    fake.enqueue({ json: ANALYSIS });
    await uploadDiagram(page, { name: "process.png", mimeType: "image/png", buffer: PNG });
    await expect(page).toHaveURL(/\?session=[0-9a-f-]{36}$/);
    await expect(page.getByTestId("design-session")).toHaveAttribute("data-step", "Analysis", ANALYSED);
    const first = ANALYSIS.agents[0]!;
    await expect(page.getByTestId(`proposed-agent-${first.key}`).getByLabel("Name")).toHaveValue(first.name);
    await expect(page.getByRole("list", { name: "Capabilities" })).toContainText(
      ANALYSIS.capabilities[0]!.name,
    );
    // The model saw the uploaded bytes, exactly.
    expect(fake.requests.map((request) => request.images)).toEqual([
      [{ mediaType: "image/png", bytes: PNG }],
    ]);
    await snapshot(page, "agent-wizard-diagram-analysed");
  });

  test("without a vision-capable model, the wizard says so plainly", async ({ page }) => {
    await signUpWithWorkspace(page, "diagram-plain", "Plain Partners");
    fake.reset();
    await uploadDiagram(page, { name: "process.png", mimeType: "image/png", buffer: PNG });
    await expect(page).toHaveURL(/\?session=[0-9a-f-]{36}$/);
    await expect(page.getByTestId("image-unanalysed")).toContainText(
      "No vision-capable model is configured, so the diagram was not analysed.",
      ANALYSED,
    );
    expect(fake.requests).toHaveLength(0);
    await snapshot(page, "agent-wizard-diagram-unanalysed");
  });

  test("a file of the wrong type or over 10 MB gets a clear error and starts nothing", async ({ page }) => {
    await signUpWithWorkspace(page, "diagram-bad", "Bad Files Partners");
    await uploadDiagram(page, {
      name: "evil.png",
      mimeType: "image/png",
      buffer: Buffer.from("<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
    });
    await expect(page.locator("#design-image-error")).toContainText(
      "evil.png is not a PNG, JPEG or WebP image",
    );
    await expect(page).toHaveURL(/\/agents\/new\/wizard$/);

    await page.getByLabel(DIAGRAM_LABEL).setInputFiles({
      name: "huge.png",
      mimeType: "image/png",
      buffer: Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024)]),
    });
    await expect(page.locator("#design-image-error")).toContainText("the image is larger than 10 MB");
    await expect(page).toHaveURL(/\/agents\/new\/wizard$/);
  });
});
