import type {
  DeliveryRequestSummary,
  IntegrationConnectionOf,
  IntegrationContext,
  IntegrationProvider,
  IntegrationRegistry,
  ProposedActionInput,
  ProviderOutcome,
} from "@techscaniq/contracts";
import { IntegrationError } from "./errors";
import { GitHubClient } from "./github";
import { JiraClient } from "./jira";
import { ServiceNowClient, type ServiceNowConnection } from "./servicenow";
import { SlackClient, slackBlocks } from "./slack";

/**
 * The GitHub, Jira, ServiceNow and Slack entries of the worker's provider registry: each catalog
 * action and connection test as a client call, its result or IntegrationError as a ProviderOutcome.
 */

const REQUEST_BODY_CHARS = 2_000;

function summarise(method: string, url: string, body?: unknown): DeliveryRequestSummary {
  return {
    method,
    url,
    ...(body === undefined ? {} : { body: JSON.stringify(body).slice(0, REQUEST_BODY_CHARS) }),
  };
}

/** Runs one client call; a failure becomes the outcome the delivery framework schedules from. */
async function outcome(
  request: DeliveryRequestSummary | undefined,
  call: () => Promise<Omit<ProviderOutcome, "request">>,
): Promise<ProviderOutcome> {
  const withRequest = request ? { request } : {};
  try {
    return { ...(await call()), ...withRequest };
  } catch (error) {
    if (!(error instanceof IntegrationError)) throw error;
    const retryAfterMs = error.retryAt ? Math.max(0, error.retryAt.getTime() - Date.now()) : undefined;
    return {
      status: error.status,
      summary: error.message,
      ...withRequest,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      retry: error.retryable,
    };
  }
}

const github = (context: IntegrationContext, connection: IntegrationConnectionOf<"github">) =>
  new GitHubClient(
    {
      token: connection.credentials.token,
      ...(connection.config.apiUrl ? { baseUrl: connection.config.apiUrl } : {}),
    },
    { fetch: context.fetch, attempt: context.attempt },
  );

const jira = (context: IntegrationContext, connection: IntegrationConnectionOf<"jira">) =>
  new JiraClient({ baseUrl: connection.config.siteUrl, ...connection.credentials }, { fetch: context.fetch });

function serviceNow(context: IntegrationContext, connection: IntegrationConnectionOf<"servicenow">) {
  const { username, password, accessToken } = connection.credentials;
  const auth: ServiceNowConnection["auth"] =
    accessToken !== undefined
      ? { kind: "bearer", token: accessToken }
      : { kind: "basic", username: username ?? "", password: password ?? "" };
  return new ServiceNowClient({ instanceUrl: connection.config.instanceUrl, auth }, { fetch: context.fetch });
}

const slack = (context: IntegrationContext, connection: IntegrationConnectionOf<"slack">) =>
  new SlackClient(
    {
      kind: "bot",
      token: connection.credentials.botToken,
      channel: connection.config.channel,
      ...(connection.config.apiUrl ? { apiUrl: connection.config.apiUrl } : {}),
    },
    { fetch: context.fetch },
  );

const tested = (read: () => Promise<string>) =>
  outcome(undefined, async () => ({ status: 200, summary: await read() }));

/**
 * Whether an earlier attempt of this create may have reached the provider: it crashed unanswered,
 * or it is a retry at all (an attempt whose create timed out and whose search did not find the
 * ticket yet is recorded as answered, and the index may have caught up since).
 */
const mayExist = (context: IntegrationContext) => context.earlierAttemptUncertain || context.attempt > 1;

/** The labels an issue from an agent carries: where it came from and how bad it is. */
const issueLabels = (input: ProposedActionInput) => [
  "techscaniq",
  ...(input.severity ? [input.severity] : []),
];

export const githubProvider: IntegrationProvider<"github"> = {
  provider: "github",
  testConnection: (context, connection) => tested(() => github(context, connection).authenticatedRead()),
  actions: {
    create_issue: (context, connection, input) => {
      const base = connection.config.apiUrl ?? "https://api.github.com";
      const repository = connection.config.repository;
      const request = summarise("POST", `${base}/repos/${repository ?? "?"}/issues`, { title: input.title });
      if (!repository)
        return Promise.resolve({
          status: null,
          summary: "github: the connection names no repository (owner/name) to open issues in",
          request,
          retry: false,
        });
      const [owner, repo] = repository.split("/") as [string, string];
      return outcome(request, async () => {
        const issue = await github(context, connection).createIssue({
          owner,
          repo,
          title: input.title,
          body: input.body,
          labels: issueLabels(input),
          idempotencyKey: context.idempotencyKey,
          mayExist: mayExist(context),
        });
        return issue.created
          ? { status: 201, summary: `opened ${repository}#${issue.number}`, externalId: issue.url }
          : {
              status: 200,
              summary: `found ${repository}#${issue.number}, opened by an earlier attempt`,
              externalId: issue.url,
            };
      });
    },
  },
};

export const jiraProvider: IntegrationProvider<"jira"> = {
  provider: "jira",
  testConnection: (context, connection) => tested(() => jira(context, connection).authenticatedRead()),
  actions: {
    create_issue: (context, connection, input) => {
      const request = summarise("POST", `${connection.config.siteUrl}/rest/api/3/issue`, {
        project: connection.config.projectKey,
        summary: input.title,
      });
      return outcome(request, async () => {
        const issue = await jira(context, connection).createIssue({
          projectKey: connection.config.projectKey,
          issueType: connection.config.issueType,
          summary: input.title,
          description: input.body,
          labels: issueLabels(input),
          idempotencyKey: context.idempotencyKey,
          mayExist: mayExist(context),
        });
        const summary = issue.created
          ? `created ${issue.key}`
          : `found ${issue.key}, made by an earlier attempt`;
        return { status: issue.created ? 201 : 200, summary, externalId: issue.key };
      });
    },
  },
};

export const serviceNowProvider: IntegrationProvider<"servicenow"> = {
  provider: "servicenow",
  testConnection: (context, connection) => tested(() => serviceNow(context, connection).authenticatedRead()),
  actions: {
    create_incident: (context, connection, input) => {
      const request = summarise("POST", `${connection.config.instanceUrl}/api/now/table/incident`, {
        short_description: input.title,
      });
      return outcome(request, async () => {
        const incident = await serviceNow(context, connection).createIncident({
          shortDescription: input.title,
          description: input.body,
          severity: input.severity ?? "medium",
          idempotencyKey: context.idempotencyKey,
          mayExist: mayExist(context),
        });
        const summary = incident.created
          ? `opened ${incident.number}`
          : `found ${incident.number}, made by an earlier attempt`;
        return { status: incident.created ? 201 : 200, summary, externalId: incident.number };
      });
    },
  },
};

export const slackProvider: IntegrationProvider<"slack"> = {
  provider: "slack",
  testConnection: (context, connection) => tested(() => slack(context, connection).authenticatedRead()),
  actions: {
    post_message: (context, connection, input) => {
      const base = connection.config.apiUrl ?? "https://slack.com/api/";
      const request = summarise("POST", `${base}chat.postMessage`, {
        channel: connection.config.channel,
        text: input.title,
      });
      return outcome(request, async () => {
        const posted = await slack(context, connection).postMessage({
          text: input.title,
          blocks: slackBlocks(input.title, input.body),
        });
        return {
          status: 200,
          summary: `posted to ${posted.channel}`,
          ...(posted.ts ? { externalId: posted.ts } : {}),
        };
      });
    },
  },
};

/** What this package adds to the worker's registry (the webhook provider lives in the worker). */
export const integrationProviders = {
  github: githubProvider,
  jira: jiraProvider,
  servicenow: serviceNowProvider,
  slack: slackProvider,
} satisfies IntegrationRegistry;
