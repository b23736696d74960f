import { describe, expect, it } from "vitest";
import { integrationAlerts, isDeliveryPending, isReplayable } from "./integration-view";

const health = { succeeded: 0, failed: 0, retrying: 0, lastDeliveryAt: null };
const connection = {
  id: "11111111-1111-4111-8111-111111111111",
  name: "Security Jira",
  provider: "jira" as const,
  status: "ok" as const,
  lastCheckedAt: "2026-12-06T10:00:00.000Z",
  lastCheckOk: true,
  lastError: null,
  deliveries: health,
};
const endpoint = {
  id: "22222222-2222-4222-8222-222222222222",
  url: "https://hooks.example.com/tsiq",
  enabled: true,
  disabledReason: null,
  deliveries: health,
};

describe("integrations: deliveries and alerts on the run and integrations pages", () => {
  it("alerts on a disabled endpoint and a failed last check, and on nothing else", () => {
    expect(integrationAlerts({ connections: [connection], endpoints: [endpoint] })).toEqual([]);
    const never = { ...connection, status: "untested" as const, lastCheckedAt: null, lastCheckOk: null };
    expect(integrationAlerts({ connections: [never], endpoints: [] })).toEqual([]);

    const alerts = integrationAlerts({
      connections: [{ ...connection, status: "failing", lastCheckOk: false, lastError: "401 Unauthorized" }],
      endpoints: [{ ...endpoint, enabled: false, disabledReason: "answered 410 Gone" }],
    });
    expect(alerts).toEqual([
      {
        key: `endpoint:${endpoint.id}`,
        title: "A webhook endpoint is disabled",
        message: "https://hooks.example.com/tsiq: answered 410 Gone. It receives no events until re-enabled.",
      },
      {
        key: `connection:${connection.id}`,
        title: 'The jira connection "Security Jira" failed its last check',
        message: "401 Unauthorized",
      },
    ]);
  });

  it("offers replay only for failed attempts and waits on those in flight", () => {
    expect(isReplayable({ state: "failed" })).toBe(true);
    for (const state of ["sending", "retrying", "succeeded"] as const)
      expect(isReplayable({ state })).toBe(false);
    expect(isDeliveryPending({ state: "sending" })).toBe(true);
    expect(isDeliveryPending({ state: "retrying" })).toBe(true);
    expect(isDeliveryPending({ state: "succeeded" })).toBe(false);
    expect(isDeliveryPending({ state: "failed" })).toBe(false);
  });
});
