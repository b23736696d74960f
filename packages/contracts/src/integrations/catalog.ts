import { z } from "zod";
import { FINDING_SEVERITIES } from "../scan/findings";

/**
 * The integration catalog: each provider's settings (config, stored as JSON), its credentials (sealed,
 * never returned), the fields a form asks for, and the actions it offers. The API validates
 * connections with it, the UI draws forms from it, the worker parses what it dispatches with it.
 */

export const INTEGRATION_PROVIDERS = ["github", "jira", "servicenow", "slack", "webhook"] as const;
export const IntegrationProviderName = z.enum(INTEGRATION_PROVIDERS, {
  error: (issue) =>
    `unknown provider ${JSON.stringify(issue.input)}; providers: ${INTEGRATION_PROVIDERS.join(", ")}`,
});
export type IntegrationProviderName = z.infer<typeof IntegrationProviderName>;

const HttpUrl = z
  .url({ protocol: /^https?$/, error: "must be an absolute http(s) URL" })
  .max(2048, "must be at most 2048 characters");
const Secret = (what: string) =>
  z.string().trim().min(4, `${what} must have at least 4 characters`).max(4096, `${what} is too long`);

/** A Standard Webhooks signing secret: `whsec_` and the base64 of 24 to 64 random bytes. */
export const WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/]{32,88}={0,2}$/;
export const WebhookSecret = z
  .string()
  .regex(WEBHOOK_SECRET, "a signing secret is whsec_ followed by base64 (at least 24 bytes)");

/**
 * What an agent's propose_action hands to an action: a title, a markdown body and, for tickets, a
 * severity. Every action offered to agents accepts this shape.
 */
export const ProposedActionInput = z
  .object({
    title: z.string().trim().min(1, "title must not be empty").max(200),
    body: z.string().max(20_000),
    severity: z.enum(FINDING_SEVERITIES).optional(),
  })
  .strict();
export type ProposedActionInput = z.infer<typeof ProposedActionInput>;

export interface IntegrationField {
  /** Key in config or credentials. */
  name: string;
  label: string;
  /** Secret fields go to the sealed credentials; the others to config. */
  secret: boolean;
  required: boolean;
  help?: string;
}

export interface IntegrationActionDefinition {
  title: string;
  description: string;
  input: z.ZodType;
}

export interface IntegrationProviderDefinition {
  title: string;
  fields: readonly IntegrationField[];
  config: z.ZodType<Record<string, unknown>>;
  credentials: z.ZodType<Record<string, unknown>>;
  /** Credential fields (the first one given) whose last 4 characters tell stored credentials apart. */
  hintFields: readonly string[];
  /** What the connection test reads. */
  testDescription: string;
  actions: Record<string, IntegrationActionDefinition>;
}

export const INTEGRATION_CATALOG = {
  github: {
    title: "GitHub",
    fields: [
      { name: "token", label: "Personal access token", secret: true, required: true },
      { name: "org", label: "Organisation (optional)", secret: false, required: false },
      {
        name: "repository",
        label: "Repository for issues",
        secret: false,
        required: false,
        help: "owner/name; needed to open issues",
      },
      {
        name: "apiUrl",
        label: "API URL",
        secret: false,
        required: false,
        help: "GitHub Enterprise Server only; default https://api.github.com",
      },
    ],
    config: z
      .object({
        org: z.string().trim().min(1).max(100).optional(),
        repository: z
          .string()
          .regex(/^[\w.-]{1,100}\/[\w.-]{1,100}$/, "a repository is owner/name, e.g. acme/shop")
          .optional(),
        apiUrl: HttpUrl.optional(),
      })
      .strict(),
    credentials: z.object({ token: Secret("token") }).strict(),
    hintFields: ["token"],
    testDescription: "reads the token's user (GET /user)",
    actions: {
      create_issue: {
        title: "Open a GitHub issue",
        description:
          "Opens an issue (title, markdown body, labels techscaniq and the severity) in the repository.",
        input: ProposedActionInput,
      },
    },
  },
  jira: {
    title: "Jira Cloud",
    fields: [
      {
        name: "siteUrl",
        label: "Site URL",
        secret: false,
        required: true,
        help: "https://<site>.atlassian.net",
      },
      { name: "projectKey", label: "Project key", secret: false, required: true },
      { name: "issueType", label: "Issue type", secret: false, required: false, help: "default Task" },
      { name: "email", label: "Account e-mail", secret: true, required: true },
      { name: "apiToken", label: "API token", secret: true, required: true },
    ],
    config: z
      .object({
        siteUrl: HttpUrl,
        projectKey: z
          .string()
          .regex(/^[A-Z][A-Z0-9_]{1,9}$/, "a project key is 2–10 capitals and digits, e.g. SEC"),
        issueType: z.string().trim().min(1).max(60).default("Task"),
      })
      .strict(),
    credentials: z.object({ email: z.email().max(320), apiToken: Secret("apiToken") }).strict(),
    hintFields: ["apiToken"],
    testDescription: "reads the account (GET /rest/api/3/myself)",
    actions: {
      create_issue: {
        title: "Create a Jira issue",
        description:
          "Creates an issue in the project: the title as summary, the markdown body as its description.",
        input: ProposedActionInput,
      },
    },
  },
  servicenow: {
    title: "ServiceNow",
    fields: [
      { name: "instanceUrl", label: "Instance URL", secret: false, required: true },
      { name: "username", label: "User name (Basic)", secret: true, required: false },
      { name: "password", label: "Password (Basic)", secret: true, required: false },
      { name: "accessToken", label: "OAuth access token", secret: true, required: false },
    ],
    config: z.object({ instanceUrl: HttpUrl }).strict(),
    credentials: z
      .object({
        username: z.string().trim().min(1).max(200).optional(),
        password: Secret("password").optional(),
        accessToken: Secret("accessToken").optional(),
      })
      .strict()
      .refine(
        (c) => (c.username !== undefined && c.password !== undefined) !== (c.accessToken !== undefined),
        "give either username and password (Basic) or an OAuth access token",
      ),
    hintFields: ["password", "accessToken"],
    testDescription: "reads one incident (GET /api/now/table/incident?sysparm_limit=1)",
    actions: {
      create_incident: {
        title: "Open a ServiceNow incident",
        description: "Opens an incident; impact and urgency follow the severity (default medium).",
        input: ProposedActionInput,
      },
    },
  },
  slack: {
    title: "Slack",
    fields: [
      { name: "botToken", label: "Bot token (xoxb-…)", secret: true, required: true },
      { name: "channel", label: "Channel", secret: false, required: true, help: "channel id, e.g. C0123456" },
      {
        name: "apiUrl",
        label: "API URL",
        secret: false,
        required: false,
        help: "default https://slack.com/api/",
      },
    ],
    config: z.object({ channel: z.string().trim().min(1).max(100), apiUrl: HttpUrl.optional() }).strict(),
    credentials: z.object({ botToken: Secret("botToken") }).strict(),
    hintFields: ["botToken"],
    testDescription: "checks the token (auth.test)",
    actions: {
      post_message: {
        title: "Post a Slack message",
        description: "Posts the title and the body to the channel (about one message a second per channel).",
        input: ProposedActionInput,
      },
    },
  },
  webhook: {
    title: "Webhook",
    fields: [
      { name: "url", label: "URL", secret: false, required: true },
      {
        name: "secret",
        label: "Signing secret (whsec_…)",
        secret: true,
        required: false,
        help: "generated when left empty",
      },
    ],
    config: z.object({ url: HttpUrl }).strict(),
    credentials: z.object({ secret: WebhookSecret }).strict(),
    hintFields: ["secret"],
    testDescription: "sends a signed ping (event type webhook.ping)",
    actions: {
      post: {
        title: "POST a signed JSON message",
        description:
          "POSTs { type: 'action.proposed', data: { title, body, severity } } to the URL, signed the Standard Webhooks way.",
        input: ProposedActionInput,
      },
    },
  },
} as const satisfies Record<IntegrationProviderName, IntegrationProviderDefinition>;

/** `provider.action` names an agent may declare, e.g. `webhook.post`. */
export function integrationActionNames(): string[] {
  return INTEGRATION_PROVIDERS.flatMap((provider) =>
    Object.keys(INTEGRATION_CATALOG[provider].actions).map((action) => `${provider}.${action}`),
  );
}

/** Splits `jira.create_issue` into its provider and action when the catalog offers it; else null. */
export function catalogAction(
  name: string,
): { provider: IntegrationProviderName; action: string; definition: IntegrationActionDefinition } | null {
  const dot = name.indexOf(".");
  const provider = IntegrationProviderName.safeParse(name.slice(0, dot));
  if (dot < 0 || !provider.success) return null;
  const actions: Record<string, IntegrationActionDefinition> = INTEGRATION_CATALOG[provider.data].actions;
  const action = name.slice(dot + 1);
  const definition = Object.hasOwn(actions, action) ? actions[action] : undefined;
  return definition ? { provider: provider.data, action, definition } : null;
}

/** The last 4 characters of a connection's main secret, shown as "set ••••1234". */
export function credentialsHint(
  provider: IntegrationProviderName,
  credentials: Record<string, unknown>,
): string {
  const fields: readonly string[] = INTEGRATION_CATALOG[provider].hintFields;
  const secret = fields.map((field) => credentials[field]).find((value) => typeof value === "string");
  return typeof secret === "string" ? secret.slice(-4) : "????";
}

/** What sealed connection credentials are bound to: a copy in another row or tenant does not open. */
export const connectionSecretContext = (tenantId: string, connectionId: string) =>
  `tenant:${tenantId}:integration:${connectionId}`;
/** What a webhook endpoint's sealed signing secrets are bound to. */
export const endpointSecretContext = (tenantId: string, endpointId: string) =>
  `tenant:${tenantId}:webhook_endpoint:${endpointId}`;
