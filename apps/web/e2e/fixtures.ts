import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test as base, expect, type Page } from "@playwright/test";

/** Screenshots of the main pages are kept here (not per test) so they can be reviewed after a run. */
export const screenshotDir = fileURLToPath(new URL("../test-results/screenshots", import.meta.url));

function e2eBaseUrl(): string {
  const url = process.env.E2E_BASE_URL;
  if (!url)
    throw new Error(
      "E2E_BASE_URL is not set: run through playwright.config.ts (its global setup starts the app)",
    );
  return url;
}

export const test = base.extend({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads a fixture's dependencies from this destructuring.
  baseURL: async ({}, use) => {
    await use(e2eBaseUrl());
  },
});

export { expect };

export async function snapshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

let counter = 0;
/** An address no other test (or earlier run against the same database) uses. */
export function uniqueEmail(label: string): string {
  counter += 1;
  return `${label}-${Date.now().toString(36)}-${counter}@example.test`;
}

export const PASSWORD = "correct horse battery";

/**
 * Signs in (with `signUp`: creates the account) through the endpoint the auth form posts to, as
 * the form does (same origin, JSON): the session cookies land on the page's browser context
 * without loading a page. Only auth.spec.ts and supabase-auth.spec.ts go through the form itself.
 */
export async function signInThroughApi(
  page: Page,
  account: { email: string; password: string },
  { signUp = false }: { signUp?: boolean } = {},
): Promise<void> {
  const base = e2eBaseUrl();
  const action = signUp ? "sign-up" : "sign-in";
  const response = await page.context().request.post(new URL(`/api/auth/${action}`, base).href, {
    data: account,
    headers: { origin: new URL(base).origin },
  });
  if (!response.ok())
    throw new Error(`${action} of ${account.email} failed: ${response.status()} ${await response.text()}`);
}

/** The sign-up form, filled in as a person does (auth.spec.ts tests the form; others use `signUp`). */
export async function signUpThroughForm(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/$/);
}

/** A new account, signed in through the API, on the dashboard. */
export async function signUp(page: Page, email: string, password = PASSWORD): Promise<void> {
  await signInThroughApi(page, { email, password }, { signUp: true });
  await page.goto("/");
  await expect(page.getByTestId("signed-in-as")).toHaveText(email);
}

/** The fixture sites the stack serves on 127.0.0.1 (see e2e/stack.ts). */
export function fixtureUrl(site: "wordpressLike" | "injection" | "slow"): string {
  const urls = JSON.parse(process.env.E2E_FIXTURE_URLS ?? "{}") as Record<string, string>;
  const url = urls[site];
  if (!url) throw new Error(`E2E_FIXTURE_URLS has no ${site}: run through playwright.config.ts`);
  return url;
}

/** The demo user the stack seeded, as `./techscaniq up` does (its password is printed once). */
export function demoAccount(): { email: string; password: string } {
  const account = JSON.parse(process.env.E2E_DEMO_ACCOUNT ?? "null") as {
    email: string;
    password: string;
  } | null;
  if (!account?.password)
    throw new Error("E2E_DEMO_ACCOUNT has no password: run through playwright.config.ts");
  return account;
}

/**
 * Signs a new user up and gives them a workspace of their own. Specs share one database, so the
 * workspace's short name (unique per deployment) gets the user's unique label; names may repeat.
 */
export async function signUpWithWorkspace(page: Page, label: string, workspace: string): Promise<void> {
  const email = uniqueEmail(label);
  await signUp(page, email);
  await page.getByRole("link", { name: "Create a workspace" }).click();
  await page.getByLabel("Name", { exact: true }).fill(workspace);
  await page.getByLabel("Short name").fill(email.split("@")[0]!.toLowerCase());
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page.getByTestId("active-tenant-name")).toHaveText(workspace);
}

/** Fills the dashboard's new-scan form and waits for the scan page; returns the scan id. */
export async function startScan(
  page: Page,
  url: string,
  options: { maxPages: number; renderCount: number },
): Promise<string> {
  await page.goto("/");
  await page.getByLabel("Website").fill(url);
  await page.getByText("Advanced options").click();
  await page.getByLabel("Max pages").fill(String(options.maxPages));
  await page.getByLabel("Pages rendered").fill(String(options.renderCount));
  await page.getByRole("button", { name: "Start scan" }).click();
  await expect(page).toHaveURL(/\/scans\/[0-9a-f-]{36}$/);
  return new URL(page.url()).pathname.split("/").pop()!;
}

/** Also at a phone's width, then back to the desktop viewport. */
export async function snapshotBoth(page: Page, name: string): Promise<void> {
  await snapshot(page, `${name}-desktop`);
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await snapshot(page, `${name}-phone`);
  if (viewport) await page.setViewportSize(viewport);
}
