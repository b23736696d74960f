import type { IntegrationFetch } from "@techscaniq/contracts";
import { markdownToAdf } from "./adf";
import { checkConnection, type ConnectionCheck } from "./connection-check";
import { createOnce } from "./create-once";
import type { IntegrationError } from "./errors";
import { answerFailure, basicAuth, bodyExcerpt, callJson, type ClientOptions, type JsonAnswer } from "./http";

/** Jira Cloud REST v3 with an account's e-mail and API token (Basic), every request SSRF-checked. */
export interface JiraConnection {
  /** The site, e.g. `https://acme.atlassian.net`. */
  baseUrl: string;
  email: string;
  apiToken: string;
}

export interface JiraIssue {
  key: string;
  id: string;
  url: string;
  /** False when an earlier, unanswered create had made it and the label found it. */
  created: boolean;
}

export interface JiraCreateIssue {
  projectKey: string;
  /** The issue type's name in that project, e.g. "Task" or "Bug". */
  issueType: string;
  summary: string;
  /** Markdown; sent as Atlassian Document Format. */
  description: string;
  labels?: string[];
  /** One per intended action (the delivery's id): the label that finds this issue again. */
  idempotencyKey: string;
  /** A previous attempt went unanswered: look before creating. */
  mayExist?: boolean;
}

/** Jira labels are single words: the key, lower-cased, with anything else than [a-z0-9_-] replaced. */
export function jiraIdempotencyLabel(idempotencyKey: string): string {
  const word = idempotencyKey.toLowerCase().replace(/[^a-z0-9_-]/g, "-");
  if (!/[a-z0-9]/.test(word)) throw new Error("jira: the idempotency key has no letters or digits");
  return `techscaniq-${word}`.slice(0, 255);
}

/** Jira's error body: `{ errorMessages: [...], errors: { field: message } }`. */
function jiraReason(body: unknown): string {
  if (body && typeof body === "object") {
    const { errorMessages, errors } = body as { errorMessages?: unknown; errors?: unknown };
    const parts = [
      ...(Array.isArray(errorMessages) ? errorMessages.map(String) : []),
      ...(errors && typeof errors === "object"
        ? Object.entries(errors).map(([field, message]) => `${field}: ${String(message)}`)
        : []),
    ];
    if (parts.length > 0) return parts.join("; ");
  }
  return bodyExcerpt(body) || "no reason given";
}

export class JiraClient {
  readonly #connection: JiraConnection;
  readonly #fetch: IntegrationFetch;
  readonly #now: () => Date;
  readonly #base: string;

  constructor(connection: JiraConnection, options: ClientOptions) {
    this.#connection = connection;
    this.#fetch = options.fetch;
    this.#now = options.now ?? (() => new Date());
    this.#base = connection.baseUrl.replace(/\/+$/, "");
  }

  #request(method: string, path: string, body?: unknown): Promise<JsonAnswer> {
    return callJson("jira", this.#fetch, `${this.#base}${path}`, {
      method,
      headers: { authorization: basicAuth(this.#connection.email, this.#connection.apiToken) },
      ...(body === undefined ? {} : { body }),
    });
  }

  #failure(answer: JsonAnswer): IntegrationError {
    return answerFailure("jira", answer, jiraReason(answer.body), [this.#connection.apiToken], this.#now());
  }

  /** `GET /rest/api/3/myself`: the connection test. */
  testConnection(): Promise<ConnectionCheck> {
    return checkConnection(() => this.authenticatedRead());
  }

  /** `GET /rest/api/3/myself`: whose token it is. */
  async authenticatedRead(): Promise<string> {
    const answer = await this.#request("GET", "/rest/api/3/myself");
    if (answer.status !== 200) throw this.#failure(answer);
    return `account ${String((answer.body as { displayName?: unknown }).displayName ?? "?")}`;
  }

  /** The issue carrying `label`, if any (JQL search). */
  async findByLabel(label: string): Promise<{ key: string; id: string } | null> {
    const query = new URLSearchParams({ jql: `labels = "${label}"`, fields: "summary", maxResults: "1" });
    const answer = await this.#request("GET", `/rest/api/3/search/jql?${query}`);
    if (answer.status !== 200) throw this.#failure(answer);
    const issues = (answer.body as { issues?: { key: string; id: string }[] }).issues ?? [];
    return issues[0] ? { key: issues[0].key, id: issues[0].id } : null;
  }

  /** Creates the issue once (`createOnce`): its idempotency label finds an unanswered create's issue. */
  async createIssue(input: JiraCreateIssue): Promise<JiraIssue> {
    const label = jiraIdempotencyLabel(input.idempotencyKey);
    const fields = {
      project: { key: input.projectKey },
      issuetype: { name: input.issueType },
      summary: input.summary.replace(/[\r\n]+/g, " ").slice(0, 255),
      description: markdownToAdf(input.description),
      labels: [...new Set([...(input.labels ?? []), label])],
    };
    const { ticket, created } = await createOnce({
      provider: "jira",
      mayExist: input.mayExist ?? false,
      marked: `issue labelled ${label}`,
      find: () => this.findByLabel(label),
      create: () => this.#request("POST", "/rest/api/3/issue", { fields }),
      createdFrom: (answer) => answer.body as { key: string; id: string },
      failure: (answer) => this.#failure(answer),
      now: this.#now,
    });
    return { key: ticket.key, id: ticket.id, url: `${this.#base}/browse/${ticket.key}`, created };
  }
}
