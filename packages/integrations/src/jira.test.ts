import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeIntegrations, type FakeIntegrations } from "@techscaniq/fixtures";
import { IntegrationError } from "./errors";
import { integrationFetch } from "./http";
import { JiraClient, jiraIdempotencyLabel } from "./jira";

let fake: FakeIntegrations;
beforeAll(async () => {
  fake = await startFakeIntegrations();
});
afterAll(() => fake.close());

const NOW = new Date("2026-12-06T12:00:00Z");
const client = (apiToken = fake.jira.apiToken, timeoutMs = 5_000) =>
  new JiraClient(
    { baseUrl: fake.jira.baseUrl, email: fake.jira.email, apiToken },
    { fetch: integrationFetch({ allowPrivate: "loopback", timeoutMs }), now: () => NOW },
  );
const issue = (idempotencyKey: string) => ({
  projectKey: "OPS",
  issueType: "Bug",
  summary: "Outdated jQuery on example.com",
  description:
    "## Finding\n\njQuery **1.8.3** has known vulnerabilities.\n\n- CVE-2020-11022\n- CVE-2020-11023",
  labels: ["security"],
  idempotencyKey,
});

describe("integrations: jira connection test", () => {
  it("good credentials read /myself with Basic email:token", async () => {
    const check = await client().testConnection();
    expect(check).toMatchObject({ ok: true, error: null });
    const request = fake.requestsTo("jira").at(-1)!;
    expect(request).toMatchObject({ method: "GET", path: "/rest/api/3/myself" });
    const expected = Buffer.from(`${fake.jira.email}:${fake.jira.apiToken}`).toString("base64");
    expect(request.headers.authorization).toBe(`Basic ${expected}`);
  });

  it("bad credentials give ok: false with Jira's reason and no secret", async () => {
    const check = await client("ATATTnotthetoken").testConnection();
    expect(check.ok).toBe(false);
    expect(check.error).toContain("HTTP 401: You are not authenticated");
    expect(check.error).not.toContain("ATATTnotthetoken");
  });
});

describe("integrations: jira create issue", () => {
  it("sends the description as an Atlassian Document with the idempotency label", async () => {
    const created = await client().createIssue(issue("delivery-1"));
    expect(created).toMatchObject({ key: "OPS-1", created: true });
    expect(created.url).toBe(`${fake.jira.baseUrl}/browse/OPS-1`);
    const request = fake.requestsTo("jira").at(-1)!;
    expect(request).toMatchObject({ method: "POST", path: "/rest/api/3/issue" });
    const fields = (request.body as { fields: Record<string, unknown> }).fields;
    expect(fields).toMatchObject({
      project: { key: "OPS" },
      issuetype: { name: "Bug" },
      summary: "Outdated jQuery on example.com",
      labels: ["security", "techscaniq-delivery-1"],
    });
    expect(fields.description).toMatchObject({ version: 1, type: "doc" });
    expect((fields.description as { content: { type: string }[] }).content.map((node) => node.type)).toEqual([
      "heading",
      "paragraph",
      "bulletList",
    ]);
  });

  it("the fake answers a plain-string description with Jira's real 400", async () => {
    const response = await fetch(`${fake.jira.baseUrl}/rest/api/3/issue`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${fake.jira.email}:${fake.jira.apiToken}`).toString("base64")}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({
        fields: {
          project: { key: "OPS" },
          issuetype: { name: "Task" },
          summary: "s",
          description: "plain text",
        },
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errorMessages: [],
      errors: {
        description: "Operation value must be an Atlassian Document (see the Atlassian Document Format)",
      },
    });
  });

  it("a refused create is final, with Jira's field errors", async () => {
    const error = await client()
      .createIssue({ ...issue("delivery-2"), projectKey: "NOPE", issueType: "Epic" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IntegrationError);
    expect((error as IntegrationError).message).toBe(
      "jira: HTTP 400: project: valid project is required; issuetype: Specify an issue type",
    );
    expect((error as IntegrationError).retryable).toBe(false);
  });

  it("timeout idempotency: a timed-out create that happened is found by label, not made twice", async () => {
    fake.fail("jira", { match: /^POST \/rest\/api\/3\/issue$/, hang: "after-handling" });
    const before = fake.state.jiraIssues.length;
    const found = await client(fake.jira.apiToken, 1_000).createIssue(issue("delivery-3"));
    expect(found).toMatchObject({ created: false });
    expect(fake.state.jiraIssues.length).toBe(before + 1);
    const label = jiraIdempotencyLabel("delivery-3");
    expect(fake.state.jiraIssues.at(-1)!.key).toBe(found.key);
    const calls = fake.requestsTo("jira").slice(-2);
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      "POST /rest/api/3/issue",
      "GET /rest/api/3/search/jql",
    ]);
    expect(calls[1]!.query.jql).toBe(`labels = "${label}"`);
    // The job's next attempt (mayExist) finds it again and still creates nothing.
    const again = await client().createIssue({ ...issue("delivery-3"), mayExist: true });
    expect(again).toMatchObject({ key: found.key, created: false });
    expect(fake.state.jiraIssues.length).toBe(before + 1);
  });

  it("an unanswered create that did not happen is not re-sent at once: later, after a search", async () => {
    fake.fail("jira", { match: /^POST \/rest\/api\/3\/issue$/, hang: true });
    const before = fake.state.jiraIssues.length;
    const error = (await client(fake.jira.apiToken, 1_000)
      .createIssue(issue("delivery-4"))
      .catch((caught: unknown) => caught)) as IntegrationError;
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error.retryAt).toEqual(new Date(NOW.getTime() + 30_000));
    expect(fake.state.jiraIssues.length).toBe(before);
    const created = await client().createIssue({ ...issue("delivery-4"), mayExist: true });
    expect(created.created).toBe(true);
    expect(fake.state.jiraIssues.length).toBe(before + 1);
  });

  it("a 429 is retried when Jira's Retry-After says", async () => {
    fake.fail("jira", {
      status: 429,
      headers: { "retry-after": "15" },
      body: { errorMessages: ["Rate limit exceeded."] },
    });
    const error = (await client()
      .createIssue(issue("delivery-5"))
      .catch((caught: unknown) => caught)) as IntegrationError;
    expect(error.retryAt).toEqual(new Date(NOW.getTime() + 15_000));
  });
});

describe("integrations: jira SSRF", () => {
  it("a private address is refused before any request unless allowed", async () => {
    const before = fake.requests.length;
    const refused = new JiraClient(
      { baseUrl: fake.jira.baseUrl, email: fake.jira.email, apiToken: fake.jira.apiToken },
      { fetch: integrationFetch({ allowPrivate: false }) },
    );
    const error = (await refused
      .createIssue(issue("delivery-6"))
      .catch((caught: unknown) => caught)) as IntegrationError;
    expect(error.message).toBe("jira: blocked: 127.0.0.1 is a loopback address");
    expect(error.retryable).toBe(false);
    expect(fake.requests.length).toBe(before);
  });
});
