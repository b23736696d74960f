import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeIntegrations, type FakeIntegrations } from "@techscaniq/fixtures";
import { IntegrationError } from "./errors";
import { integrationFetch } from "./http";
import { GitHubClient, githubIdempotencyLabel, githubRetryAt } from "./github";

let fake: FakeIntegrations;
beforeAll(async () => {
  fake = await startFakeIntegrations();
});
afterAll(() => fake.close());

const NOW = new Date("2026-12-06T12:00:00Z");
const client = (token = fake.github.token, attempt = 1, timeoutMs?: number) =>
  new GitHubClient(
    { token, baseUrl: fake.github.baseUrl },
    {
      fetch: integrationFetch({ allowPrivate: "loopback", ...(timeoutMs ? { timeoutMs } : {}) }),
      now: () => NOW,
      attempt,
    },
  );

async function failure(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  return error as IntegrationError;
}

describe("integrations: github connection test", () => {
  it("a good token reads the token's user (GET /user) with the token in Authorization", async () => {
    const check = await client().testConnection();
    expect(check).toMatchObject({ ok: true, error: null });
    expect(check.latencyMs).toBeGreaterThanOrEqual(0);
    const request = fake.requestsTo("github").at(-1)!;
    expect(request).toMatchObject({ method: "GET", path: "/user" });
    expect(request.headers.authorization).toBe(`token ${fake.github.token}`);
  });

  it("a bad token gives ok: false with GitHub's reason and no secret", async () => {
    const check = await client("ghp_wrongwrongwrong").testConnection();
    expect(check.ok).toBe(false);
    expect(check.error).toContain("HTTP 401: Bad credentials");
    expect(check.error).not.toContain("ghp_wrongwrongwrong");
  });
});

describe("integrations: github actions", () => {
  it("lists the token's repositories and an organisation's", async () => {
    const mine = await client().listRepositories();
    expect(mine.map((repo) => repo.fullName)).toEqual(["acme/shop", "acme/ml", "octo/notes"]);
    expect(fake.requestsTo("github").at(-1)).toMatchObject({
      path: "/user/repos",
      query: { per_page: "100", page: "1" },
    });
    const org = await client().listRepositories({ org: "octo" });
    expect(org).toEqual([expect.objectContaining({ fullName: "octo/notes", private: false })]);
    const missing = await failure(client().listRepositories({ org: "nobody" }));
    expect(missing).toMatchObject({ status: 404, retryable: false, retryAt: null });
  });

  it("creates an issue with title, body and labels as GitHub's API takes them", async () => {
    const issue = await client().createIssue({
      owner: "acme",
      repo: "shop",
      title: "jQuery 1.8.3 is vulnerable",
      body: "Found by **TechScanIQ**.",
      labels: ["security", "techscaniq"],
      idempotencyKey: "delivery-1",
    });
    expect(issue).toMatchObject({ number: 1, created: true });
    const request = fake.requestsTo("github").at(-1)!;
    expect(request).toMatchObject({ method: "POST", path: "/repos/acme/shop/issues" });
    expect(request.headers["content-type"]).toContain("application/json");
    expect(request.body).toEqual({
      title: "jQuery 1.8.3 is vulnerable",
      body: "Found by **TechScanIQ**.",
      labels: ["security", "techscaniq", githubIdempotencyLabel("delivery-1")],
    });
    const refused = await failure(
      client().createIssue({
        owner: "acme",
        repo: "shop",
        title: " ",
        body: "",
        idempotencyKey: "delivery-2",
      }),
    );
    expect(refused.message).toContain("HTTP 422: Validation Failed");
    expect(refused.retryable).toBe(false);
  });

  it("reads the manifest files present at a repository's root, and only those", async () => {
    const before = fake.requestsTo("github").length;
    const manifests = await client().readManifests({ owner: "acme", repo: "shop" });
    expect(manifests.map((file) => file.path)).toEqual(["package.json", "go.mod"]);
    expect(JSON.parse(manifests[0]!.text).dependencies.next).toBe("14.2.3");
    expect(manifests[1]!.text).toContain("require github.com/lib/pq v1.10.9");
    const paths = fake
      .requestsTo("github")
      .slice(before)
      .map((request) => request.path);
    expect(paths).toEqual([
      "/repos/acme/shop/contents",
      "/repos/acme/shop/contents/package.json",
      "/repos/acme/shop/contents/go.mod",
    ]);
    expect(await client().readManifests({ owner: "octo", repo: "notes" })).toEqual([]);
  });
});

describe("integrations: github create issue after a timeout must not open two", () => {
  const issue = (idempotencyKey: string) => ({
    owner: "acme",
    repo: "ml",
    title: "Exposed .git directory",
    body: "Found by **TechScanIQ**.",
    labels: ["techscaniq"],
    idempotencyKey,
  });
  const issuesOf = (key: string) =>
    fake.state.githubIssues.filter((made) => made.labels.includes(githubIdempotencyLabel(key)));

  it("labels fit GitHub's 50 characters and differ per action", () => {
    const key = "action:5b7f2f3e-7c1a-4c7e-9d55-2f1f3b1c9a10:3";
    expect(githubIdempotencyLabel(key)).toMatch(/^tsiq-[0-9a-f]{20}$/);
    expect(githubIdempotencyLabel(key)).toBe(githubIdempotencyLabel(key));
    expect(githubIdempotencyLabel(key)).not.toBe(githubIdempotencyLabel(key.replace(/3$/, "4")));
  });

  it("a timed-out create that happened is found by its label, not opened again", async () => {
    fake.fail("github", { match: /^POST \/repos\/acme\/ml\/issues$/, hang: "after-handling" });
    const found = await client(fake.github.token, 1, 1_000).createIssue(issue("timeout-1"));
    expect(found).toMatchObject({ created: false });
    expect(issuesOf("timeout-1")).toHaveLength(1);
    expect(found.number).toBe(issuesOf("timeout-1")[0]!.number);
    const calls = fake.requestsTo("github").slice(-2);
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      "POST /repos/acme/ml/issues",
      "GET /repos/acme/ml/issues",
    ]);
    expect(calls[1]!.query).toMatchObject({ labels: githubIdempotencyLabel("timeout-1"), state: "all" });
    // The job's next attempt (mayExist) looks first and still opens nothing.
    const again = await client().createIssue({ ...issue("timeout-1"), mayExist: true });
    expect(again).toMatchObject({ number: found.number, created: false });
    expect(fake.requestsTo("github").at(-1)).toMatchObject({ method: "GET", path: "/repos/acme/ml/issues" });
    expect(issuesOf("timeout-1")).toHaveLength(1);
  });

  it("an unanswered create that did not happen is re-sent later, after a look, exactly once", async () => {
    fake.fail("github", { match: /^POST \/repos\/acme\/ml\/issues$/, hang: true });
    const error = await failure(client(fake.github.token, 1, 1_000).createIssue(issue("timeout-2")));
    expect(error.retryAt).toEqual(new Date(NOW.getTime() + 30_000));
    expect(issuesOf("timeout-2")).toHaveLength(0);
    const created = await client().createIssue({ ...issue("timeout-2"), mayExist: true });
    expect(created.created).toBe(true);
    expect(issuesOf("timeout-2")).toHaveLength(1);
  });

  it("a 502 to the create looks for the issue before the worker retries", async () => {
    fake.fail("github", { match: /^POST \/repos\/acme\/ml\/issues$/, status: 502, body: "Bad Gateway" });
    const error = await failure(client().createIssue(issue("bad-gateway")));
    expect(error.message).toContain("no issue labelled");
    expect(fake.requestsTo("github").at(-1)).toMatchObject({ method: "GET", path: "/repos/acme/ml/issues" });
    expect(issuesOf("bad-gateway")).toHaveLength(0);
  });
});

describe("integrations: github rate limits", () => {
  it("retry-after: retry after that many seconds", async () => {
    fake.fail("github", {
      status: 403,
      headers: { "retry-after": "42", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" },
      body: {
        message: "You have exceeded a secondary rate limit.",
        documentation_url: "https://docs.github.com",
      },
    });
    const error = await failure(
      client().createIssue({
        owner: "acme",
        repo: "shop",
        title: "t",
        body: "b",
        idempotencyKey: "rate-limited",
      }),
    );
    expect(error.retryAt).toEqual(new Date(NOW.getTime() + 42_000));
    expect(error).toMatchObject({ status: 403, retryable: true });
  });

  it("x-ratelimit-remaining: 0 without retry-after: retry at x-ratelimit-reset", async () => {
    const reset = NOW.getTime() / 1000 + 1800;
    fake.fail("github", {
      status: 403,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) },
      body: { message: "API rate limit exceeded for user ID 4242." },
    });
    const error = await failure(client().listRepositories());
    expect(error.retryAt).toEqual(new Date(reset * 1000));
  });

  it("a secondary-limit 403 without those headers: ≥ 60 s, then longer each attempt", async () => {
    const secondary = { status: 403, body: { message: "You have exceeded a secondary rate limit." } };
    fake.fail("github", secondary);
    const first = await failure(
      client(fake.github.token, 1).createIssue({
        owner: "acme",
        repo: "shop",
        title: "t",
        body: "b",
        idempotencyKey: "rate-limited",
      }),
    );
    expect(first.retryAt).toEqual(new Date(NOW.getTime() + 60_000));
    fake.fail("github", secondary);
    const third = await failure(
      client(fake.github.token, 3).createIssue({
        owner: "acme",
        repo: "shop",
        title: "t",
        body: "b",
        idempotencyKey: "rate-limited",
      }),
    );
    expect(third.retryAt).toEqual(new Date(NOW.getTime() + 240_000));
  });

  it("a 403 that is not a rate limit is final; a 5xx is retried by the worker's backoff", async () => {
    fake.fail("github", {
      status: 403,
      body: { message: "Resource not accessible by personal access token" },
    });
    const forbidden = await failure(
      client().createIssue({
        owner: "acme",
        repo: "shop",
        title: "t",
        body: "b",
        idempotencyKey: "rate-limited",
      }),
    );
    expect(forbidden).toMatchObject({ retryable: false, retryAt: null });
    fake.fail("github", { status: 502, body: "bad gateway" });
    const broken = await failure(client().listRepositories());
    expect(broken).toMatchObject({ status: 502, retryable: true, retryAt: null });
    expect(githubRetryAt({ status: 404, headers: {}, message: "rate limit" }, NOW)).toBeNull();
  });
});

describe("integrations: github SSRF", () => {
  it("a private address is refused before any request unless allowed", async () => {
    const before = fake.requests.length;
    const refused = new GitHubClient(
      { token: fake.github.token, baseUrl: fake.github.baseUrl },
      { fetch: integrationFetch({ allowPrivate: false }) },
    );
    const check = await refused.testConnection();
    expect(check.ok).toBe(false);
    expect(check.error).toContain("blocked: 127.0.0.1 is a loopback address");
    expect(fake.requests.length).toBe(before);
  });
});
