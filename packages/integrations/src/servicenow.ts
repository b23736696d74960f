import type { FindingSeverity, IntegrationFetch } from "@techscaniq/contracts";
import { checkConnection, type ConnectionCheck } from "./connection-check";
import { createOnce } from "./create-once";
import type { IntegrationError } from "./errors";
import { answerFailure, basicAuth, bodyExcerpt, callJson, type ClientOptions, type JsonAnswer } from "./http";

/** ServiceNow's Table API with Basic credentials or an OAuth access token, every request SSRF-checked. */
export interface ServiceNowConnection {
  /** The instance, e.g. `https://acme.service-now.com`. */
  instanceUrl: string;
  auth: { kind: "basic"; username: string; password: string } | { kind: "bearer"; token: string };
}

export interface ServiceNowIncident {
  sysId: string;
  number: string;
  url: string;
  /** False when an earlier, unanswered create had made it and its correlation id found it. */
  created: boolean;
}

/**
 * ServiceNow's 1 (High) … 3 (Low) impact and urgency for a finding's severity; the instance's
 * priority lookup turns the pair into P1 (critical) … P5 (info, low).
 */
export const SEVERITY_IMPACT_URGENCY: Record<FindingSeverity, { impact: 1 | 2 | 3; urgency: 1 | 2 | 3 }> = {
  critical: { impact: 1, urgency: 1 },
  high: { impact: 1, urgency: 2 },
  medium: { impact: 2, urgency: 2 },
  low: { impact: 3, urgency: 3 },
  info: { impact: 3, urgency: 3 },
};

/** ServiceNow's error body: `{ error: { message, detail }, status: "failure" }`. */
function serviceNowReason(body: unknown): string {
  const error = (body as { error?: { message?: unknown; detail?: unknown } } | null)?.error;
  if (error && typeof error === "object") {
    return [error.message, error.detail].filter((part) => typeof part === "string" && part).join(": ");
  }
  return bodyExcerpt(body) || "no reason given";
}

export class ServiceNowClient {
  readonly #connection: ServiceNowConnection;
  readonly #fetch: IntegrationFetch;
  readonly #now: () => Date;
  readonly #base: string;

  constructor(connection: ServiceNowConnection, options: ClientOptions) {
    this.#connection = connection;
    this.#fetch = options.fetch;
    this.#now = options.now ?? (() => new Date());
    this.#base = connection.instanceUrl.replace(/\/+$/, "");
  }

  get #secrets(): string[] {
    const { auth } = this.#connection;
    return auth.kind === "basic" ? [auth.password] : [auth.token];
  }

  #request(method: string, path: string, body?: unknown): Promise<JsonAnswer> {
    const { auth } = this.#connection;
    return callJson("servicenow", this.#fetch, `${this.#base}${path}`, {
      method,
      headers: {
        authorization:
          auth.kind === "basic" ? basicAuth(auth.username, auth.password) : `Bearer ${auth.token}`,
      },
      ...(body === undefined ? {} : { body }),
    });
  }

  #failure(answer: JsonAnswer): IntegrationError {
    return answerFailure("servicenow", answer, serviceNowReason(answer.body), this.#secrets, this.#now());
  }

  /** A one-row read of the incident table: the connection test. */
  testConnection(): Promise<ConnectionCheck> {
    return checkConnection(() => this.authenticatedRead());
  }

  /** A one-row read of the incident table. */
  async authenticatedRead(): Promise<string> {
    const answer = await this.#request(
      "GET",
      "/api/now/table/incident?sysparm_limit=1&sysparm_fields=sys_id",
    );
    if (answer.status !== 200) throw this.#failure(answer);
    return "read the incident table";
  }

  /** The incident carrying `correlationId`, if any. */
  async findByCorrelationId(correlationId: string): Promise<{ sys_id: string; number: string } | null> {
    const query = new URLSearchParams({
      sysparm_query: `correlation_id=${correlationId}`,
      sysparm_fields: "sys_id,number",
      sysparm_limit: "1",
    });
    const answer = await this.#request("GET", `/api/now/table/incident?${query}`);
    if (answer.status !== 200) throw this.#failure(answer);
    return (answer.body as { result?: { sys_id: string; number: string }[] }).result?.[0] ?? null;
  }

  /**
   * Creates an incident once (`createOnce`): `correlation_id`, the field ServiceNow keeps for an
   * external system's id, carries the idempotency key that finds an unanswered create's incident.
   */
  async createIncident(input: {
    shortDescription: string;
    description: string;
    severity: FindingSeverity;
    idempotencyKey: string;
    mayExist?: boolean;
  }): Promise<ServiceNowIncident> {
    if (!/^[\w:-]{1,100}$/.test(input.idempotencyKey))
      throw new Error("servicenow: the idempotency key is 1-100 letters, digits, _, : or -");
    const record = {
      short_description: input.shortDescription.replace(/[\r\n]+/g, " ").slice(0, 160),
      description: input.description,
      ...SEVERITY_IMPACT_URGENCY[input.severity],
      correlation_id: input.idempotencyKey,
      correlation_display: "TechScanIQ",
    };
    const { ticket, created } = await createOnce({
      provider: "servicenow",
      mayExist: input.mayExist ?? false,
      marked: `incident with correlation id ${input.idempotencyKey}`,
      find: () => this.findByCorrelationId(input.idempotencyKey),
      create: () => this.#request("POST", "/api/now/table/incident", record),
      createdFrom: (answer) => (answer.body as { result: { sys_id: string; number: string } }).result,
      failure: (answer) => this.#failure(answer),
      now: this.#now,
    });
    const url = `${this.#base}/nav_to.do?uri=incident.do?sys_id=${ticket.sys_id}`;
    return { sysId: ticket.sys_id, number: ticket.number, url, created };
  }
}
