import { expect, PASSWORD, signInThroughApi, signUp, test, uniqueEmail } from "./fixtures";

test("style: e2e sign-in through the API", async ({ page, browser, baseURL }) => {
  // Three sign-ins (bcrypt) and two page loads: on 2 loaded cores one step can take 10 s.
  test.setTimeout(180_000);
  const email = uniqueEmail("api-sign-in");
  await signUp(page, email);
  // The session is the form's: httpOnly cookies on the browser context, no page was needed to get them.
  const cookies = await page.context().cookies();
  expect(cookies.find((cookie) => cookie.name === "tsiq_access")).toMatchObject({ httpOnly: true });

  // A fresh context signs the same account in without loading the sign-in page.
  const other = await browser.newContext({ baseURL });
  try {
    const otherPage = await other.newPage();
    await signInThroughApi(otherPage, { email, password: PASSWORD });
    await otherPage.goto("/");
    await expect(otherPage.getByTestId("signed-in-as")).toHaveText(email);
    await expect(signInThroughApi(otherPage, { email, password: "wrong password" })).rejects.toThrow(
      /sign-in of .* failed: 4\d\d/,
    );
  } finally {
    await other.close();
  }
});
