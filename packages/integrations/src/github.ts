import { createHash } from "node:crypto";
import { Octokit } from "@octokit/rest";
import { FetchError } from "@techscaniq/scanner";
import { checkConnection, type ConnectionCheck } from "./connection-check";
import { createOnce } from "./create-once";
import { IntegrationError, isTransientStatus, redact } from "./errors";
import { sdkFetch, transportFailure, type ClientOptions } from "./http";

/**
 * GitHub through Octokit (`@octokit/rest`), every request through the SSRF-safe fetcher. Octokit
 * here has no retry or throttling plugin: a rate-limited call becomes an IntegrationError with
 * `retryAt` (GitHub's rules, `githubRetryAt`) and the worker reschedules the job.
 */

export interface GitHubConnection {
  token: string;
  /** `https://api.github.com` unless GitHub Enterprise Server (`https://HOST/api/v3`) or a test server. */
  baseUrl?: string;
}

export interface GitHubRepository {
  fullName: string;
  owner: string;
  name: string;
  private: boolean;
  defaultBranch: string;
  htmlUrl: string;
}

export interface GitHubIssue {
  number: number;
  url: string;
  /** False when an earlier, unanswered create had made it and its idempotency label found it. */
  created: boolean;
}

export interface GitHubCreateIssue {
  owner: string;
  repo: string;
  title: string;
  body: string;
  labels?: string[];
  /** One per intended action (the delivery's key): the label that finds this issue again. */
  idempotencyKey: string;
  /** A previous attempt went unanswered: look before creating. */
  mayExist?: boolean;
}

/**
 * The label that marks an issue as this action's. GitHub label names are at most 50 characters and
 * an action key is longer, so the label is a digest of it (80 bits: no two actions meet).
 */
export function githubIdempotencyLabel(idempotencyKey: string): string {
  return `tsiq-${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 20)}`;
}

export interface ManifestFile {
  path: string;
  text: string;
}

/** Dependency manifests the code analysis reads, at a repository's root; only those present are fetched. */
export const MANIFEST_FILES = [
  "package.json",
  "requirements.txt",
  "pyproject.toml",
  "Pipfile",
  "go.mod",
  "pom.xml",
  "build.gradle",
  "build.gradle.kts",
  "Cargo.toml",
  "Gemfile",
  "composer.json",
] as const;

/** GitHub's advice for a secondary limit without headers: at least a minute, then exponentially longer. */
const SECONDARY_LIMIT_WAIT_MS = 60_000;
const SECONDARY_LIMIT_MAX_WAIT_MS = 60 * 60_000;
const PAGE_SIZE = 100;
/** A token with thousands of repositories is listed in pages; this many is enough for an agent. */
const MAX_REPOSITORIES = 1_000;

type HeaderValue = string | number | undefined;

/**
 * When to call GitHub again after a rate-limited answer, by GitHub's documented rules (REST API,
 * "Rate limits"): `retry-after` seconds; else, when `x-ratelimit-remaining` is 0, the
 * `x-ratelimit-reset` epoch second; else a secondary limit (403/429 naming a rate limit) waits at
 * least 60 s, doubling with each attempt. Null when the answer is not a rate limit.
 */
export function githubRetryAt(
  answer: { status: number; headers: Record<string, HeaderValue>; message: string },
  now: Date,
  attempt = 1,
): Date | null {
  if (answer.status !== 403 && answer.status !== 429) return null;
  const retryAfter = Number(answer.headers["retry-after"]);
  if (answer.headers["retry-after"] !== undefined && Number.isFinite(retryAfter))
    return new Date(now.getTime() + Math.max(0, retryAfter) * 1000);
  const reset = Number(answer.headers["x-ratelimit-reset"]);
  if (String(answer.headers["x-ratelimit-remaining"]) === "0" && Number.isFinite(reset))
    return new Date(Math.max(reset * 1000, now.getTime()));
  // A 403 is also "no permission"; only one that names a rate limit (or any 429) is one.
  if (answer.status === 429 || /rate limit/i.test(answer.message)) {
    const wait = SECONDARY_LIMIT_WAIT_MS * 2 ** Math.max(0, attempt - 1);
    return new Date(now.getTime() + Math.min(wait, SECONDARY_LIMIT_MAX_WAIT_MS));
  }
  return null;
}

interface OctokitFailure {
  status: number;
  message: string;
  cause?: unknown;
  response?: { headers: Record<string, HeaderValue>; data: unknown };
}

function isOctokitFailure(error: unknown): error is OctokitFailure {
  return (
    error instanceof Error &&
    error.name === "HttpError" &&
    typeof (error as unknown as OctokitFailure).status === "number"
  );
}

export class GitHubClient {
  readonly #octokit: Octokit;
  readonly #token: string;
  readonly #now: () => Date;
  readonly #attempt: number;

  constructor(connection: GitHubConnection, options: ClientOptions & { attempt?: number }) {
    this.#token = connection.token;
    this.#now = options.now ?? (() => new Date());
    this.#attempt = options.attempt ?? 1;
    this.#octokit = new Octokit({
      auth: connection.token,
      baseUrl: connection.baseUrl ?? "https://api.github.com",
      userAgent: "TechScanIQ",
      request: { fetch: sdkFetch(options.fetch), redirect: "error" },
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    });
  }

  #failure(error: unknown): IntegrationError {
    if (!isOctokitFailure(error)) return transportFailure("github", error);
    if (error.cause instanceof FetchError || !error.response)
      return transportFailure("github", error.cause ?? error);
    const message = redact(error.message, [this.#token]);
    const retryAt = githubRetryAt(
      { status: error.status, headers: error.response.headers, message },
      this.#now(),
      this.#attempt,
    );
    return new IntegrationError("github", `github: HTTP ${error.status}: ${message}`, {
      status: error.status,
      retryAt,
      retryable: retryAt !== null || isTransientStatus(error.status),
    });
  }

  async #call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw this.#failure(error);
    }
  }

  /** The token's user (`GET /user`): the connection test. */
  testConnection(): Promise<ConnectionCheck> {
    return checkConnection(() => this.authenticatedRead());
  }

  /** `GET /user`: who the token is, e.g. "user octocat". */
  async authenticatedRead(): Promise<string> {
    const { data } = await this.#call(() => this.#octokit.rest.users.getAuthenticated());
    return `user ${data.login}`;
  }

  /** The repositories the token can see, or an organisation's. */
  async listRepositories(input: { org?: string } = {}): Promise<GitHubRepository[]> {
    const repositories: GitHubRepository[] = [];
    const { org } = input;
    for (let page = 1; repositories.length < MAX_REPOSITORIES; page += 1) {
      const { data } = org
        ? await this.#call(() => this.#octokit.rest.repos.listForOrg({ org, per_page: PAGE_SIZE, page }))
        : await this.#call(() =>
            this.#octokit.rest.repos.listForAuthenticatedUser({ per_page: PAGE_SIZE, page }),
          );
      for (const repo of data)
        repositories.push({
          fullName: repo.full_name,
          owner: repo.owner.login,
          name: repo.name,
          private: repo.private,
          defaultBranch: repo.default_branch ?? "main",
          htmlUrl: repo.html_url,
        });
      if (data.length < PAGE_SIZE) break;
    }
    return repositories.slice(0, MAX_REPOSITORIES);
  }

  /**
   * The issue carrying `label`, if any. The repository's issue list filtered by label reads GitHub's
   * database, not the search index, so an issue created a moment ago is already there.
   */
  async findByLabel(input: { owner: string; repo: string; label: string }): Promise<GitHubIssue | null> {
    const { data } = await this.#call(() =>
      this.#octokit.rest.issues.listForRepo({
        owner: input.owner,
        repo: input.repo,
        labels: input.label,
        state: "all",
        per_page: 1,
      }),
    );
    const issue = data[0];
    return issue ? { number: issue.number, url: issue.html_url, created: false } : null;
  }

  /**
   * Creates the issue once (`createOnce`), like Jira's label and ServiceNow's correlation_id: an
   * unanswered create's issue is found by its idempotency label before another create is sent.
   */
  async createIssue(input: GitHubCreateIssue): Promise<GitHubIssue> {
    const label = githubIdempotencyLabel(input.idempotencyKey);
    const labels = [...new Set([...(input.labels ?? []), label])];
    const { ticket, created } = await createOnce({
      provider: "github",
      mayExist: input.mayExist ?? false,
      marked: `issue labelled ${label}`,
      find: () => this.findByLabel({ owner: input.owner, repo: input.repo, label }),
      create: async () => {
        // Octokit throws on anything but a 2xx, so only a created issue comes back here.
        const answer = await this.#call(() =>
          this.#octokit.rest.issues.create({
            owner: input.owner,
            repo: input.repo,
            title: input.title,
            body: input.body,
            labels,
          }),
        );
        return { status: answer.status, headers: new Headers(), body: answer.data };
      },
      createdFrom: (answer) => {
        const data = answer.body as { number: number; html_url: string };
        return { number: data.number, url: data.html_url, created: true };
      },
      failure: (answer) =>
        new IntegrationError("github", `github: HTTP ${answer.status} to an issue create`, {
          status: answer.status,
          retryable: isTransientStatus(answer.status),
        }),
      now: this.#now,
    });
    return { ...ticket, created };
  }

  /** The dependency manifests at the repository's root (`MANIFEST_FILES` that are present). */
  async readManifests(input: { owner: string; repo: string; ref?: string }): Promise<ManifestFile[]> {
    const ref = input.ref ? { ref: input.ref } : {};
    const { data: root } = await this.#call(() =>
      this.#octokit.rest.repos.getContent({ owner: input.owner, repo: input.repo, path: "", ...ref }),
    );
    const present = new Set(
      (Array.isArray(root) ? root : []).filter((entry) => entry.type === "file").map((entry) => entry.name),
    );
    const manifests: ManifestFile[] = [];
    for (const path of MANIFEST_FILES.filter((name) => present.has(name))) {
      const { data } = await this.#call(() =>
        this.#octokit.rest.repos.getContent({ owner: input.owner, repo: input.repo, path, ...ref }),
      );
      if (Array.isArray(data) || data.type !== "file" || !("content" in data)) continue;
      manifests.push({ path, text: Buffer.from(data.content, "base64").toString("utf8") });
    }
    return manifests;
  }
}
