"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorMessageOf } from "../../lib/api-error";
import { formatDateTime } from "../../lib/format";
import { trpc } from "../../lib/trpc";
import type { RouterOutputs } from "@techscaniq/api/client";
import { Button } from "../ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "../ui/card";
import { Label } from "../ui/label";
import { SkeletonRows } from "../ui/skeleton";
import { EmptyState, ErrorState } from "../ui/states";
import { Textarea } from "../ui/textarea";
import { DeliveryList, IntegrationAlerts } from "../settings/deliveries";
import { isDeliveryPending, isReplayable } from "../settings/integration-view";
import { RunStatusBadge } from "./badges";
import { formatTokens, formatUsd, isRunEnded, runActions } from "./view";

export type RunWorkspaceRun = RouterOutputs["agentRun"]["get"];

const json = (value: unknown) => JSON.stringify(value, null, 2);
const STEP_BOX = "rounded-(--radius-control) border border-border bg-surface px-3 py-2 text-sm";

/**
 * One run as it happens: status, tokens and cost, its steps, and the buttons that fit its state. The
 * progress subscription says when something changed; the stored run and steps are what is shown.
 * Everything a model or a scanned site produced is shown as text.
 */
export function RunWorkspace({
  initialRun,
  agentName,
  canWrite,
  canManage,
}: {
  initialRun: RunWorkspaceRun;
  agentName: string;
  canWrite: boolean;
  /** Admins replay a failed delivery. */
  canManage: boolean;
}) {
  const runId = initialRun.id;
  const router = useRouter();
  const utils = trpc.useUtils();
  const runQuery = trpc.agentRun.get.useQuery({ runId }, { initialData: initialRun });
  const run = runQuery.data;
  const steps = trpc.agentRun.steps.useQuery({ runId });
  const [note, setNote] = useState("");
  // The worker delivers a queued action after the run's last step, so the list is read again until
  // every queued action has an attempt that is no longer in flight.
  const queuedActions = run.output?.actions.filter((action) => action.state === "queued").length ?? 0;
  const deliveries = trpc.integration.deliveries.useQuery(
    { agentRunId: runId, limit: 50 },
    {
      refetchInterval: (query) => {
        const items = query.state.data?.items ?? [];
        const owed = items.length < queuedActions || items.some(isDeliveryPending);
        return owed ? 2000 : false;
      },
    },
  );
  const integrationStatus = trpc.integration.status.useQuery();
  const connectionNames = Object.fromEntries(
    (integrationStatus.data?.connections ?? []).map((connection) => [connection.id, connection.name]),
  );

  const subscription = trpc.agentRun.progress.useSubscription(
    { runId },
    {
      enabled: !isRunEnded(run.status),
      onData: () => {
        void utils.agentRun.get.invalidate({ runId });
        void utils.agentRun.steps.invalidate({ runId });
        void utils.integration.deliveries.invalidate({ agentRunId: runId });
      },
    },
  );

  const onChanged = (updated: RunWorkspaceRun) => {
    utils.agentRun.get.setData({ runId }, updated);
    void utils.agentRun.steps.invalidate({ runId });
  };
  const cancel = trpc.agentRun.cancel.useMutation({ onSuccess: onChanged });
  const approve = trpc.agentRun.approve.useMutation({ onSuccess: onChanged });
  const reject = trpc.agentRun.reject.useMutation({ onSuccess: onChanged });
  const retry = trpc.agentRun.retry.useMutation({
    onSuccess: (created) => router.push(`/agents/${created.agentId}/runs/${created.id}`),
  });
  const actionError = cancel.error ?? approve.error ?? reject.error ?? retry.error;
  const actions = runActions(run);
  const live = subscription.status === "pending";

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start sm:justify-between">
        <div className="flex min-w-0 flex-col gap-1">
          <Link
            href={`/agents/${run.agentId}`}
            className="text-sm text-muted-foreground hover:text-foreground"
          >
            ← {agentName}
          </Link>
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="text-2xl font-semibold tracking-tight">Run</h1>
            <RunStatusBadge status={run.status} />
            {!isRunEnded(run.status) ? (
              <span className="text-xs text-muted-foreground" data-testid="live-indicator">
                {live ? "Live" : "Connecting"}
              </span>
            ) : null}
          </div>
          <p className="text-sm text-muted-foreground">
            version {run.agentVersion} · {run.trigger} · started {formatDateTime(run.createdAt)}
            {run.retryOf ? (
              <>
                {" "}
                · retry of{" "}
                <Link href={`/agents/${run.agentId}/runs/${run.retryOf}`} className="text-primary">
                  an earlier run
                </Link>
              </>
            ) : null}
          </p>
        </div>
        {canWrite ? (
          <div className="flex shrink-0 flex-wrap gap-2">
            {actions.cancel ? (
              <Button
                variant="secondary"
                onClick={() => cancel.mutate({ runId })}
                pending={cancel.isPending}
                disabled={actions.cancelling}
              >
                {actions.cancelling ? "Cancelling…" : "Cancel run"}
              </Button>
            ) : null}
            {actions.retry ? (
              <Button variant="secondary" onClick={() => retry.mutate({ runId })} pending={retry.isPending}>
                Retry
              </Button>
            ) : null}
          </div>
        ) : null}
      </div>
      <IntegrationAlerts status={integrationStatus.data} />
      {actionError ? <ErrorState title="That did not work" message={errorMessageOf(actionError)} /> : null}

      {canWrite && actions.decide ? (
        <Card data-testid="approval">
          <CardHeader>
            <CardTitle className="text-lg">Waiting for your approval</CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-3">
            <p className="text-sm">
              The agent wants to carry out an external action (see the last step below).
            </p>
            <Label htmlFor="decision-note">Note (optional)</Label>
            <Textarea
              id="decision-note"
              rows={2}
              value={note}
              onChange={(event) => setNote(event.target.value)}
            />
            <div className="flex gap-2">
              <Button
                onClick={() => approve.mutate({ runId, ...(note.trim() ? { note } : {}) })}
                pending={approve.isPending}
              >
                Approve
              </Button>
              <Button
                variant="destructive"
                onClick={() => reject.mutate({ runId, ...(note.trim() ? { note } : {}) })}
                pending={reject.isPending}
              >
                Reject
              </Button>
            </div>
          </CardContent>
        </Card>
      ) : null}

      <Card>
        <CardContent className="grid gap-3 pt-6 text-sm sm:grid-cols-3">
          <p data-testid="run-tokens">{formatTokens(run.inputTokens, run.outputTokens)}</p>
          <p data-testid="run-cost">
            {formatUsd(run.costUsd)}
            {run.priceTableVersion ? (
              <span className="text-muted-foreground"> · prices {run.priceTableVersion}</span>
            ) : null}
          </p>
          <p className="text-muted-foreground">{steps.data ? `${steps.data.length} steps` : ""}</p>
        </CardContent>
      </Card>

      {run.error ? <ErrorState title="The run failed" message={run.error} /> : null}
      {run.output ? (
        <Card data-testid="run-output">
          <CardHeader>
            <CardTitle className="text-lg">Summary</CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-3 text-sm">
            <p className="whitespace-pre-wrap">{run.output.summary}</p>
            {run.output.actions.map((action, index) => (
              <div key={index} className="rounded-(--radius-control) border border-border p-3">
                <p className="font-medium">
                  {action.title}{" "}
                  <span className="font-mono text-xs text-muted-foreground">{action.action}</span> ·{" "}
                  {action.state}
                </p>
                <p className="whitespace-pre-wrap text-muted-foreground">{action.body}</p>
              </div>
            ))}
          </CardContent>
        </Card>
      ) : null}

      {deliveries.data?.items.length || queuedActions > 0 ? (
        <section
          aria-labelledby="deliveries-heading"
          className="flex flex-col gap-3"
          data-testid="run-deliveries"
        >
          <h2 id="deliveries-heading" className="text-lg font-semibold tracking-tight">
            Deliveries
          </h2>
          {deliveries.error ? <ErrorState message={errorMessageOf(deliveries.error)} /> : null}
          {deliveries.data ? (
            <DeliveryList
              deliveries={deliveries.data.items}
              connectionNames={connectionNames}
              canReplay={(delivery) => canManage && isReplayable(delivery)}
            />
          ) : null}
        </section>
      ) : null}

      <section aria-labelledby="steps-heading" className="flex flex-col gap-3">
        <h2 id="steps-heading" className="text-lg font-semibold tracking-tight">
          Steps
        </h2>
        {steps.error ? <ErrorState message={errorMessageOf(steps.error)} /> : null}
        {steps.isPending ? <SkeletonRows label="Loading steps" /> : null}
        {steps.data && steps.data.length === 0 ? (
          <EmptyState title={run.status === "queued" ? "Waiting for a worker…" : "No steps"} />
        ) : null}
        <ol className="flex flex-col gap-2" data-testid="run-steps">
          {steps.data?.map((step) => (
            <li key={step.id} data-testid="run-step" data-status={step.status}>
              <details className={STEP_BOX}>
                <summary className="cursor-pointer">
                  <span className="font-mono text-xs text-muted-foreground">#{step.seq}</span>{" "}
                  <span className="font-medium">{step.kind.replace("_", " ")}</span> {step.name} ·{" "}
                  <span data-testid="step-status">{step.status}</span>
                  {step.inputTokens + step.outputTokens > 0
                    ? ` · ${step.inputTokens + step.outputTokens} tokens · ${formatUsd(step.costUsd)}`
                    : ""}
                </summary>
                {step.error ? <p className="mt-2 text-destructive">{step.error}</p> : null}
                {step.decisionNote ? <p className="mt-2">Note: {step.decisionNote}</p> : null}
                <p className="mt-2 text-xs font-semibold text-muted-foreground uppercase">Request</p>
                <pre className="overflow-x-auto text-xs whitespace-pre-wrap">{json(step.request)}</pre>
                <p className="mt-2 text-xs font-semibold text-muted-foreground uppercase">Response</p>
                <pre className="overflow-x-auto text-xs whitespace-pre-wrap">{json(step.response)}</pre>
              </details>
            </li>
          ))}
        </ol>
      </section>

      <details className="text-sm">
        <summary className="cursor-pointer text-muted-foreground">Run input</summary>
        <pre className="mt-2 overflow-x-auto text-xs whitespace-pre-wrap">{json(run.input)}</pre>
      </details>
    </div>
  );
}
