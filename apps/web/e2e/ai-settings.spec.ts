import { expect, signUpWithWorkspace, snapshotBoth, test } from "./fixtures";

const KEY = "sk-e2e-SECRET-openai-key-Zk42";

test("AI providers: a key is set, only its last 4 characters come back (page and tRPC bodies), and it is cleared", async ({
  page,
}) => {
  // Every tRPC response body of the session, to prove the key never travels back.
  const bodies: Promise<string>[] = [];
  page.on("response", (response) => {
    if (response.url().includes("/api/trpc")) bodies.push(response.text().catch(() => ""));
  });

  await signUpWithWorkspace(page, "ai-admin", "AI Settings Partners");
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "AI providers" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "AI usage" })).toBeVisible();
  const openai = page.getByTestId("ai-provider-openai");
  await expect(openai.getByTestId("ai-key-status")).toContainText("Not set");

  // A bad key names the field inline and stores nothing.
  await openai.getByLabel("API key", { exact: true }).fill("short");
  await openai.getByRole("button", { name: "Save OpenAI" }).click();
  await expect(page.locator("#field-openai-apiKey-error")).toHaveText("must be at least 8 characters");
  await expect(openai.getByTestId("ai-key-status")).toContainText("Not set");

  await openai.getByLabel("API key", { exact: true }).fill(KEY);
  await openai.getByLabel("Model").fill("gpt-4o-mini");
  await openai.getByRole("button", { name: "Save OpenAI" }).click();
  await expect(openai.getByTestId("ai-key-status")).toContainText("Key set");
  await expect(openai.getByTestId("ai-key-status")).toContainText("Zk42");

  await page.getByLabel("Token budget per report").fill("10");
  await page.getByRole("button", { name: "Save routing" }).click();
  await expect(page.locator("#field-reportTokenBudget-error")).toHaveText("must be at least 1000 tokens");
  await page.getByLabel("Token budget per report").fill("50000");
  await page.getByLabel("Writing report sections").selectOption("openai");
  await page.getByRole("button", { name: "Save routing" }).click();
  await expect(page.locator("#field-reportTokenBudget-error")).toHaveCount(0);

  await page.reload();
  const reloaded = page.getByTestId("ai-provider-openai");
  await expect(reloaded.getByTestId("ai-key-status")).toContainText("Zk42");
  await expect(reloaded.getByLabel("Replace API key")).toHaveValue("");
  await expect(reloaded.getByLabel("Model")).toHaveValue("gpt-4o-mini");
  await expect(page.getByLabel("Writing report sections")).toHaveValue("openai");
  await expect(page.getByLabel("Token budget per report")).toHaveValue("50000");
  expect(await page.content()).not.toContain("SECRET");
  await snapshotBoth(page, "ai-settings");

  await reloaded.getByRole("button", { name: "Clear the OpenAI key" }).click();
  await expect(reloaded.getByTestId("ai-key-status")).toContainText("Not set");
  await page.reload();
  await expect(page.getByTestId("ai-provider-openai").getByTestId("ai-key-status")).toContainText("Not set");

  const seen = await Promise.all(bodies);
  expect(seen.some((body) => body.includes("Zk42"))).toBe(true);
  for (const body of seen) expect(body).not.toContain("SECRET");
});
