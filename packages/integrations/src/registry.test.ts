import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeIntegrations, type FakeIntegrations } from "@techscaniq/fixtures";
import type {
  IntegrationConnectionOf,
  IntegrationContext,
  IntegrationProviderName,
} from "@techscaniq/contracts";
import { integrationFetch } from "./http";
import { integrationProviders } from "./registry";

let fake: FakeIntegrations;
beforeAll(async () => {
  fake = await startFakeIntegrations();
});
afterAll(() => fake.close());

const context = (overrides: Partial<IntegrationContext> = {}): IntegrationContext => ({
  fetch: integrationFetch({ allowPrivate: "loopback", timeoutMs: 1_000 }),
  signal: new AbortController().signal,
  idempotencyKey: "action:5b7f2f3e-7c1a-4c7e-9d55-2f1f3b1c9a10:3",
  attempt: 1,
  earlierAttemptUncertain: false,
  ...overrides,
});
function connection<P extends IntegrationProviderName>(
  provider: P,
  config: IntegrationConnectionOf<P>["config"],
  credentials: IntegrationConnectionOf<P>["credentials"],
): IntegrationConnectionOf<P> {
  return { id: "c0", tenantId: "t0", name: provider, provider, config, credentials };
}
const proposal = {
  title: "Outdated jQuery",
  body: "jQuery **1.8.3** is vulnerable.",
  severity: "high" as const,
};

describe("integrations: provider registry", () => {
  it("each provider's connection test is an authenticated read; bad credentials say why", async () => {
    const jira = connection(
      "jira",
      { siteUrl: fake.jira.baseUrl, projectKey: "OPS", issueType: "Task" },
      { email: fake.jira.email, apiToken: fake.jira.apiToken },
    );
    expect(await integrationProviders.jira.testConnection(context(), jira)).toEqual({
      status: 200,
      summary: "account TechScanIQ Agent",
    });
    const github = connection("github", { apiUrl: fake.github.baseUrl }, { token: "ghp_wrong_token" });
    expect(await integrationProviders.github.testConnection(context(), github)).toEqual({
      status: 401,
      summary: "github: HTTP 401: Bad credentials - https://docs.github.com/rest",
      retry: false,
    });
    const slack = connection(
      "slack",
      { channel: fake.slack.channel, apiUrl: fake.slack.apiUrl },
      { botToken: fake.slack.token },
    );
    expect(await integrationProviders.slack.testConnection(context(), slack)).toMatchObject({ status: 200 });
    const servicenow = connection(
      "servicenow",
      { instanceUrl: fake.servicenow.instanceUrl },
      { accessToken: fake.servicenow.token },
    );
    expect(await integrationProviders.servicenow.testConnection(context(), servicenow)).toMatchObject({
      status: 200,
    });
  });

  it("jira.create_issue labels by the delivery's key; an uncertain earlier attempt is found", async () => {
    const jira = connection(
      "jira",
      { siteUrl: fake.jira.baseUrl, projectKey: "OPS", issueType: "Task" },
      { email: fake.jira.email, apiToken: fake.jira.apiToken },
    );
    fake.fail("jira", { match: /^POST \/rest\/api\/3\/issue$/, hang: "after-handling" });
    const first = await integrationProviders.jira.actions.create_issue(context(), jira, proposal);
    expect(first).toMatchObject({ status: 200, summary: "found OPS-1, made by an earlier attempt" });
    expect(fake.state.jiraIssues.at(-1)!.fields.labels).toEqual([
      "techscaniq",
      "high",
      "techscaniq-action-5b7f2f3e-7c1a-4c7e-9d55-2f1f3b1c9a10-3",
    ]);
    const replay = await integrationProviders.jira.actions.create_issue(
      context({ attempt: 2, earlierAttemptUncertain: false }),
      jira,
      proposal,
    );
    expect(replay).toMatchObject({ status: 200, externalId: "OPS-1" });
    expect(fake.state.jiraIssues).toHaveLength(1);
  });

  it("github, servicenow and slack actions report what they made; rate limits as retryAfterMs", async () => {
    const github = connection(
      "github",
      { apiUrl: fake.github.baseUrl, repository: "acme/shop" },
      { token: fake.github.token },
    );
    expect(await integrationProviders.github.actions.create_issue(context(), github, proposal)).toMatchObject(
      {
        status: 201,
        summary: "opened acme/shop#1",
        request: { method: "POST", url: `${fake.github.baseUrl}/repos/acme/shop/issues` },
      },
    );
    const noRepository = connection("github", { apiUrl: fake.github.baseUrl }, { token: fake.github.token });
    expect(
      await integrationProviders.github.actions.create_issue(context(), noRepository, proposal),
    ).toMatchObject({ status: null, retry: false });
    const servicenow = connection(
      "servicenow",
      { instanceUrl: fake.servicenow.instanceUrl },
      { username: fake.servicenow.username, password: fake.servicenow.password },
    );
    expect(
      await integrationProviders.servicenow.actions.create_incident(context(), servicenow, proposal),
    ).toMatchObject({ status: 201, externalId: "INC0010001" });
    expect(fake.state.incidents.at(-1)).toMatchObject({ impact: "1", urgency: "2" });
    const slack = connection(
      "slack",
      { channel: fake.slack.channel, apiUrl: fake.slack.apiUrl },
      { botToken: fake.slack.token },
    );
    fake.fail("slack", {
      status: 429,
      headers: { "retry-after": "30" },
      body: { ok: false, error: "ratelimited" },
    });
    const limited = await integrationProviders.slack.actions.post_message(context(), slack, proposal);
    expect(limited).toMatchObject({ status: 429, retry: true });
    expect(limited.retryAfterMs).toBeGreaterThan(25_000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(30_000);
    expect(await integrationProviders.slack.actions.post_message(context(), slack, proposal)).toMatchObject({
      status: 200,
      summary: `posted to ${fake.slack.channel}`,
    });
  });
});
