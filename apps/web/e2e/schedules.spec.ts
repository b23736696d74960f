import { createDb, sql, withServiceTx } from "@techscaniq/db";
import { expect, signUpWithWorkspace, snapshot, test } from "./fixtures";

/** The stack's database, for the worker's part: a schedule that missed slots while no worker ticked. */
function stackDb() {
  const url = process.env.E2E_DATABASE_URL;
  if (!url) throw new Error("E2E_DATABASE_URL is not set: run through playwright.config.ts");
  return createDb(url);
}

test.describe("schedules: web", () => {
  test.describe.configure({ timeout: 240_000 });

  test("schedules: create a schedule in the UI, see the next runs, see a missed run recorded", async ({
    page,
  }) => {
    await signUpWithWorkspace(page, "schedule-owner", "Schedule Partners");
    await page.goto("/agents");
    await page.getByLabel("Name").fill("Weekday watch");
    await page.getByTestId("template-stack-watch").getByRole("button", { name: "Create" }).click();
    await expect(page).toHaveURL(/\/agents\/[0-9a-f-]{36}$/);

    const schedules = page.getByTestId("agent-schedules");
    await schedules.getByLabel(/^Cron/).fill("0 9 * * 1-5");
    await schedules.getByLabel("Time zone").selectOption("Europe/Amsterdam");
    await schedules.getByLabel("Catch-up window (0, 15m, 2h, 1d)").fill("15m");
    await schedules.getByRole("button", { name: "Add schedule" }).click();
    const weekday = schedules.getByTestId("schedule").filter({ hasText: "0 9 * * 1-5" });
    await expect(weekday).toContainText("Europe/Amsterdam");
    await expect(weekday).toContainText("catch-up 15m");
    const nextRuns = weekday.getByTestId("schedule-next-runs").getByRole("listitem");
    await expect(nextRuns).toHaveCount(5);
    for (const run of await nextRuns.allTextContents()) expect(run).toMatch(/T09:00:00\+0[12]:00$/);
    await expect(page.getByTestId("agent-health")).toContainText("Next run:");
    await expect(page.getByTestId("agent-health")).not.toContainText("not scheduled");

    // A nonsense field is refused with its name, and nothing is added.
    await schedules.getByLabel(/^Cron/).fill("61 * * * *");
    await schedules.getByRole("button", { name: "Add schedule" }).click();
    await expect(schedules.getByRole("alert")).toContainText("minute field: 61 is out of range 0-59");
    await expect(schedules.getByTestId("schedule")).toHaveCount(1);

    // Every minute, catch-up 0: then ten minutes without a tick, and one tick.
    await schedules.getByLabel(/^Cron/).fill("* * * * *");
    await schedules.getByLabel("Time zone").selectOption("UTC");
    await schedules.getByLabel("Catch-up window (0, 15m, 2h, 1d)").fill("0");
    await schedules.getByRole("button", { name: "Add schedule" }).click();
    const everyMinute = schedules.getByTestId("schedule").filter({ hasText: "* * * * *" });
    await expect(everyMinute).toContainText("catch-up 0");
    const scheduleId = await everyMinute.getAttribute("data-schedule-id");
    const db = stackDb();
    try {
      await withServiceTx(db, async (tx) => {
        await sql`update public.agent_schedules
                     set next_run_at = date_trunc('minute', now()) - interval '10 minutes'
                   where id = ${scheduleId}::uuid`.execute(tx);
        await sql`select graphile_worker.add_job('agent.schedule_tick', '{}'::json)`.execute(tx);
      });
    } finally {
      await db.close();
    }
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("run-skip-reason").first()).toBeVisible({ timeout: 2_000 });
    }).toPass({ timeout: 120_000 });
    const missed = page.getByTestId("run-skip-reason").filter({ hasText: "Missed: worker down" });
    await expect(missed.first()).toContainText("outside catch-up window 0");
    expect(await missed.count()).toBeGreaterThanOrEqual(9);
    await expect(page.locator('[data-testid="run-status"][data-status="missed"]').first()).toBeVisible();
    await snapshot(page, "agent-schedules-missed");
  });
});
