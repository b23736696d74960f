import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeIntegrations, type FakeIntegrations } from "@techscaniq/fixtures";
import { IntegrationError } from "./errors";
import { integrationFetch } from "./http";
import { ServiceNowClient, type ServiceNowConnection } from "./servicenow";

let fake: FakeIntegrations;
beforeAll(async () => {
  fake = await startFakeIntegrations();
});
afterAll(() => fake.close());

const NOW = new Date("2026-12-06T12:00:00Z");
const basic = (password = fake.servicenow.password): ServiceNowConnection => ({
  instanceUrl: fake.servicenow.instanceUrl,
  auth: { kind: "basic", username: fake.servicenow.username, password },
});
const client = (connection = basic(), timeoutMs = 5_000) =>
  new ServiceNowClient(connection, {
    fetch: integrationFetch({ allowPrivate: "loopback", timeoutMs }),
    now: () => NOW,
  });

describe("integrations: servicenow connection test", () => {
  it("Basic and OAuth bearer credentials read one row of the incident table", async () => {
    expect(await client().testConnection()).toMatchObject({ ok: true, error: null });
    const request = fake.requestsTo("servicenow").at(-1)!;
    expect(request).toMatchObject({
      method: "GET",
      path: "/api/now/table/incident",
      query: { sysparm_limit: "1" },
    });
    const bearer = client({
      instanceUrl: fake.servicenow.instanceUrl,
      auth: { kind: "bearer", token: fake.servicenow.token },
    });
    expect(await bearer.testConnection()).toMatchObject({ ok: true });
    expect(fake.requestsTo("servicenow").at(-1)!.headers.authorization).toBe(
      `Bearer ${fake.servicenow.token}`,
    );
  });

  it("bad credentials give ok: false with ServiceNow's reason and no secret", async () => {
    const check = await client(basic("wrong-password-123")).testConnection();
    expect(check).toMatchObject({
      ok: false,
      error: "servicenow: HTTP 401: User Not Authenticated: Required to provide Auth information",
    });
  });
});

describe("integrations: servicenow create incident", () => {
  it("posts short_description, description, and impact/urgency mapped from the severity", async () => {
    const incident = await client().createIncident({
      shortDescription: "Weak TLS on example.com",
      description: "TLS 1.0 is still offered.",
      severity: "high",
      idempotencyKey: "delivery-1",
    });
    expect(incident).toMatchObject({ number: "INC0010001", created: true });
    const request = fake.requestsTo("servicenow").at(-1)!;
    expect(request).toMatchObject({ method: "POST", path: "/api/now/table/incident" });
    expect(request.headers["content-type"]).toContain("application/json");
    expect(request.body).toEqual({
      short_description: "Weak TLS on example.com",
      description: "TLS 1.0 is still offered.",
      impact: 1,
      urgency: 2,
      correlation_id: "delivery-1",
      correlation_display: "TechScanIQ",
    });
    expect(fake.state.incidents.at(-1)!.priority).toBe("2");
  });

  it("a refused record is final with ServiceNow's reason (data policy)", async () => {
    const error = (await client()
      .createIncident({
        shortDescription: " ",
        description: "",
        severity: "low",
        idempotencyKey: "delivery-2",
      })
      .catch((caught: unknown) => caught)) as IntegrationError;
    expect(error).toBeInstanceOf(IntegrationError);
    expect(error.message).toContain("HTTP 403: Operation Failed: Data Policy Exception");
    expect(error.retryable).toBe(false);
  });

  it("a create that timed out but happened is found by its correlation id, not made twice", async () => {
    fake.fail("servicenow", { match: /^POST /, hang: "after-handling" });
    const before = fake.state.incidents.length;
    const incident = await client(basic(), 1_000).createIncident({
      shortDescription: "Expired certificate",
      description: "",
      severity: "critical",
      idempotencyKey: "delivery-3",
    });
    expect(incident.created).toBe(false);
    expect(fake.state.incidents.length).toBe(before + 1);
    expect(fake.requestsTo("servicenow").at(-1)!.query.sysparm_query).toBe("correlation_id=delivery-3");
  });
});

describe("integrations: servicenow SSRF", () => {
  it("a private address is refused before any request unless allowed", async () => {
    const before = fake.requests.length;
    const check = await new ServiceNowClient(basic(), {
      fetch: integrationFetch({ allowPrivate: false }),
    }).testConnection();
    expect(check.error).toBe("servicenow: blocked: 127.0.0.1 is a loopback address");
    expect(fake.requests.length).toBe(before);
  });
});
