import type { RouterOutputs } from "@techscaniq/api/client";

type IntegrationStatus = RouterOutputs["integration"]["status"];
type Delivery = RouterOutputs["integration"]["deliveries"]["items"][number];

export interface IntegrationAlert {
  key: string;
  title: string;
  message: string;
}

/**
 * What an admin must act on: a webhook endpoint the worker disabled (it answered 410 Gone) and a
 * connection whose last check failed. A connection never checked, or checked fine, raises nothing.
 */
export function integrationAlerts(status: Pick<IntegrationStatus, "connections" | "endpoints">) {
  const alerts: IntegrationAlert[] = [];
  for (const endpoint of status.endpoints)
    if (!endpoint.enabled)
      alerts.push({
        key: `endpoint:${endpoint.id}`,
        title: "A webhook endpoint is disabled",
        message: `${endpoint.url}: ${endpoint.disabledReason ?? "disabled"}. It receives no events until re-enabled.`,
      });
  for (const connection of status.connections)
    if (connection.lastCheckOk === false)
      alerts.push({
        key: `connection:${connection.id}`,
        title: `The ${connection.provider} connection "${connection.name}" failed its last check`,
        message: connection.lastError ?? "the provider refused the check",
      });
  return alerts;
}

/** Failed attempts can be replayed; the others are sent, still being sent, or retried by the worker. */
export const isReplayable = (delivery: Pick<Delivery, "state">): boolean => delivery.state === "failed";

/** The worker still owes an answer: an attempt in flight or a retry scheduled. */
export const isDeliveryPending = (delivery: Pick<Delivery, "state">): boolean =>
  delivery.state === "sending" || delivery.state === "retrying";
