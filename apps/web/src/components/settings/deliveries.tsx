"use client";

import type { RouterOutputs } from "@techscaniq/api/client";
import { errorMessageOf } from "../../lib/api-error";
import { formatDateTime } from "../../lib/format";
import { trpc } from "../../lib/trpc";
import { Badge, type BadgeTone } from "../ui/badge";
import { Button } from "../ui/button";
import { EmptyState, ErrorState } from "../ui/states";
import { integrationAlerts } from "./integration-view";

export type Delivery = RouterOutputs["integration"]["deliveries"]["items"][number];

export const STATUS_TONES: Record<string, BadgeTone> = {
  ok: "success",
  failing: "danger",
  untested: "neutral",
  succeeded: "success",
  failed: "danger",
  retrying: "warning",
  sending: "info",
};

/**
 * Every attempt: action, connection (when named), state, answer, latency, error, next retry and the
 * provider's id of what it made. `canReplay` says per delivery whether this user may send it again.
 */
export function DeliveryList({
  deliveries,
  canReplay,
  connectionNames = {},
}: {
  deliveries: Delivery[];
  canReplay: (delivery: Delivery) => boolean;
  connectionNames?: Record<string, string>;
}) {
  const utils = trpc.useUtils();
  const replay = trpc.integration.replay.useMutation({ onSuccess: () => utils.integration.invalidate() });
  if (deliveries.length === 0) return <EmptyState title="No deliveries yet" className="py-4" />;
  return (
    <>
      {replay.error ? (
        <ErrorState title="The replay was refused" message={errorMessageOf(replay.error)} />
      ) : null}
      <ul className="divide-y divide-border text-xs" aria-label="Deliveries">
        {deliveries.map((delivery) => (
          <li
            key={delivery.id}
            className="flex flex-wrap items-center gap-2 py-2"
            data-testid="delivery"
            data-state={delivery.state}
          >
            <Badge tone={STATUS_TONES[delivery.state] ?? "neutral"}>{delivery.state}</Badge>
            <span className="font-mono">{delivery.action}</span>
            {delivery.connectionId && connectionNames[delivery.connectionId] ? (
              <span>via {connectionNames[delivery.connectionId]}</span>
            ) : null}
            <span>attempt {delivery.attempt}</span>
            <span>{delivery.responseStatus ?? "no answer"}</span>
            {delivery.latencyMs !== null ? <span>{delivery.latencyMs} ms</span> : null}
            <span className="text-muted-foreground">{formatDateTime(delivery.createdAt)}</span>
            {delivery.externalId ? (
              <span className="font-mono" data-testid="delivery-external-id">
                {delivery.externalId}
              </span>
            ) : null}
            {delivery.error ? <span className="text-destructive">{delivery.error}</span> : null}
            {delivery.nextRetryAt ? <span>next try {formatDateTime(delivery.nextRetryAt)}</span> : null}
            {canReplay(delivery) ? (
              <Button
                variant="ghost"
                size="sm"
                onClick={() => replay.mutate({ deliveryId: delivery.id })}
                pending={replay.isPending && replay.variables?.deliveryId === delivery.id}
              >
                Replay
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}

/** Disabled webhook endpoints and connections whose last check failed, from `integration.status`. */
export function IntegrationAlerts({
  status,
}: {
  status: RouterOutputs["integration"]["status"] | undefined;
}) {
  if (!status) return null;
  const alerts = integrationAlerts(status);
  if (alerts.length === 0) return null;
  return (
    <div className="flex flex-col gap-2" data-testid="integration-alerts">
      {alerts.map((alert) => (
        <ErrorState key={alert.key} title={alert.title} message={alert.message} />
      ))}
    </div>
  );
}
