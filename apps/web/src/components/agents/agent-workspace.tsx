"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorBodyOf, errorMessageOf } from "../../lib/api-error";
import { formatDateTime } from "../../lib/format";
import { trpc } from "../../lib/trpc";
import type { RouterOutputs } from "@techscaniq/api/client";
import { Button } from "../ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../ui/card";
import { FieldError, FormAlert } from "../ui/field-error";
import { Label } from "../ui/label";
import { Select } from "../ui/select";
import { EmptyState, ErrorState } from "../ui/states";
import { Textarea } from "../ui/textarea";
import { AgentStatusBadge, RunStatusBadge } from "./badges";
import { parseJsonObject, sampleInput } from "./json-input";
import { PromptView, type PromptShape } from "./prompt-view";
import { SchedulesCard } from "./schedules-card";
import { SpecEditor } from "./spec-editor";
import { specErrorsFromApi } from "./spec-form";
import { agentActions, describeSpecChange, formatUsd } from "./view";

export type AgentWorkspaceAgent = RouterOutputs["agent"]["get"];

/** One agent: status, run and prompt preview, the draft spec, versions with their diff, and runs. */
export function AgentWorkspace({
  initialAgent,
  canWrite,
}: {
  initialAgent: AgentWorkspaceAgent;
  canWrite: boolean;
}) {
  const agentId = initialAgent.id;
  const router = useRouter();
  const utils = trpc.useUtils();
  const agentQuery = trpc.agent.get.useQuery({ agentId }, { initialData: initialAgent });
  const agent = agentQuery.data;
  const actions = agentActions(agent);
  const refresh = () => {
    void utils.agent.get.invalidate({ agentId });
    void utils.agent.versions.invalidate({ agentId });
    void utils.agent.status.invalidate({ agentId });
  };
  const publish = trpc.agent.publish.useMutation({ onSuccess: refresh });
  const pause = trpc.agent.pause.useMutation({ onSuccess: refresh });
  const resume = trpc.agent.resume.useMutation({ onSuccess: refresh });
  const archive = trpc.agent.archive.useMutation({ onSuccess: refresh });
  const remove = trpc.agent.delete.useMutation({ onSuccess: () => router.push("/agents") });
  const actionError = publish.error ?? pause.error ?? resume.error ?? archive.error ?? remove.error;

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start sm:justify-between">
        <div className="flex min-w-0 flex-col gap-1">
          <Link href="/agents" className="text-sm text-muted-foreground hover:text-foreground">
            ← All agents
          </Link>
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="truncate text-2xl font-semibold tracking-tight" data-testid="agent-name">
              {agent.name}
            </h1>
            <AgentStatusBadge status={agent.status} />
            <span className="text-sm text-muted-foreground" data-testid="agent-version">
              {agent.currentVersion ? `version ${agent.currentVersion}` : "never published"}
            </span>
          </div>
          {agent.description ? <p className="text-sm text-muted-foreground">{agent.description}</p> : null}
        </div>
        {canWrite ? (
          <div className="flex shrink-0 flex-wrap gap-2">
            {actions.publish ? (
              <Button onClick={() => publish.mutate({ agentId })} pending={publish.isPending}>
                Publish draft
              </Button>
            ) : null}
            {actions.pause ? (
              <Button variant="secondary" onClick={() => pause.mutate({ agentId })} pending={pause.isPending}>
                Pause
              </Button>
            ) : null}
            {actions.resume ? (
              <Button
                variant="secondary"
                onClick={() => resume.mutate({ agentId })}
                pending={resume.isPending}
              >
                Resume
              </Button>
            ) : null}
            {actions.archive ? (
              <Button
                variant="secondary"
                onClick={() => archive.mutate({ agentId })}
                pending={archive.isPending}
              >
                Archive
              </Button>
            ) : null}
            {actions.delete ? (
              <Button
                variant="destructive"
                onClick={() => remove.mutate({ agentId })}
                pending={remove.isPending}
              >
                Delete
              </Button>
            ) : null}
          </div>
        ) : null}
      </div>
      {publish.data ? (
        <p role="status" className="text-sm text-success">
          Published version {publish.data.version}.
        </p>
      ) : null}
      {actionError ? <ErrorState title="That did not work" message={errorMessageOf(actionError)} /> : null}

      <div className="grid items-start gap-6 lg:grid-cols-2">
        <StatusCard agentId={agentId} />
        <RunCard agent={agent} canRun={canWrite && actions.run} />
      </div>
      <SchedulesCard agent={agent} canWrite={canWrite} />
      <RunsCard agentId={agentId} />
      <Card>
        <CardHeader>
          <CardTitle className="text-lg">Draft spec</CardTitle>
          <CardDescription>
            Edits are saved to the draft; runs use the published version until you publish again.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <DraftEditor agent={agent} canEdit={canWrite && actions.edit} />
        </CardContent>
      </Card>
      <VersionsCard agentId={agentId} />
    </div>
  );
}

function StatusCard({ agentId }: { agentId: string }) {
  const status = trpc.agent.status.useQuery({ agentId });
  return (
    <Card data-testid="agent-health">
      <CardHeader>
        <CardTitle className="text-lg">Status</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-2 text-sm">
        {status.error ? <ErrorState message={errorMessageOf(status.error)} /> : null}
        {status.data ? (
          <>
            <p>
              Health: <span className="font-medium">{status.data.health}</span>
            </p>
            <p>
              Last run:{" "}
              {status.data.lastRun ? (
                <Link href={`/agents/${agentId}/runs/${status.data.lastRun.id}`} className="text-primary">
                  {status.data.lastRun.status} · {formatDateTime(status.data.lastRun.createdAt)}
                </Link>
              ) : (
                "never"
              )}
            </p>
            <p>Next run: {status.data.nextRunAt ? formatDateTime(status.data.nextRunAt) : "not scheduled"}</p>
            <p className="text-muted-foreground">
              {Object.entries(status.data.counts)
                .filter(([, count]) => count > 0)
                .map(([runStatus, count]) => `${count} ${runStatus.replace("_", " ")}`)
                .join(" · ") || "No runs yet"}
            </p>
          </>
        ) : null}
      </CardContent>
    </Card>
  );
}

function RunCard({ agent, canRun }: { agent: AgentWorkspaceAgent; canRun: boolean }) {
  const router = useRouter();
  const utils = trpc.useUtils();
  const [inputText, setInputText] = useState(() =>
    JSON.stringify(sampleInput(agent.draftSpec.inputSchema), null, 2),
  );
  const [inputError, setInputError] = useState<string | null>(null);
  const [prompt, setPrompt] = useState<PromptShape | null>(null);
  const trigger = trpc.agentRun.trigger.useMutation({
    onSuccess: (run) => router.push(`/agents/${agent.id}/runs/${run.id}`),
  });
  const published = agent.currentVersion !== null;

  const input = () => {
    const parsed = parseJsonObject(inputText);
    setInputError(parsed.ok ? null : parsed.error);
    return parsed.ok ? parsed.value : null;
  };
  async function preview() {
    const value = input();
    if (!value) return;
    try {
      setPrompt(await utils.agent.previewPrompt.fetch({ agentId: agent.id, input: value }));
    } catch (error) {
      setInputError(errorMessageOf(error));
    }
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-lg">Run</CardTitle>
        <CardDescription>
          {published
            ? `Runs version ${agent.currentVersion} with this input.`
            : "Publish the draft before running it or previewing its prompt."}
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        <Label htmlFor="run-input">Input (JSON)</Label>
        <Textarea
          id="run-input"
          className="font-mono text-xs"
          rows={5}
          value={inputText}
          onChange={(event) => setInputText(event.target.value)}
          aria-invalid={inputError ? true : undefined}
          aria-describedby={inputError ? "run-input-error" : undefined}
        />
        <FieldError id="run-input-error" messages={inputError ? [inputError] : undefined} />
        <FormAlert message={trigger.error ? errorMessageOf(trigger.error) : null} />
        <div className="flex flex-wrap gap-2">
          {canRun ? (
            <Button
              onClick={() => {
                const value = input();
                if (value) trigger.mutate({ agentId: agent.id, input: value });
              }}
              pending={trigger.isPending}
            >
              Run now
            </Button>
          ) : null}
          <Button variant="secondary" disabled={!published} onClick={() => void preview()}>
            Preview prompt
          </Button>
        </div>
        {prompt ? <PromptView prompt={prompt} /> : null}
      </CardContent>
    </Card>
  );
}

function RunsCard({ agentId }: { agentId: string }) {
  const runs = trpc.agentRun.list.useQuery({ agentId, limit: 20 });
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-lg">Runs</CardTitle>
      </CardHeader>
      <CardContent>
        {runs.error ? <ErrorState message={errorMessageOf(runs.error)} /> : null}
        {runs.data && runs.data.items.length === 0 ? <EmptyState title="No runs yet" /> : null}
        <ul className="flex flex-col divide-y divide-border text-sm" data-testid="agent-runs">
          {runs.data?.items.map((run) => (
            <li key={run.id} className="flex flex-wrap items-center gap-3 py-2">
              <RunStatusBadge status={run.status} />
              <Link href={`/agents/${agentId}/runs/${run.id}`} className="text-primary hover:underline">
                {formatDateTime(run.createdAt)}
              </Link>
              <span className="text-muted-foreground">
                v{run.agentVersion} · {run.trigger} · {formatUsd(run.costUsd)}
              </span>
              {run.slotAt ? (
                <span className="text-muted-foreground" data-testid="run-slot">
                  slot {formatDateTime(run.slotAt)}
                  {run.backfilled ? " · backfilled" : ""}
                </span>
              ) : null}
              {run.event ? (
                <span className="text-muted-foreground" data-testid="run-event">
                  on {run.event.type ?? "event"} #{run.event.id}
                </span>
              ) : null}
              {run.skipReason ? (
                <span className="w-full text-muted-foreground" data-testid="run-skip-reason">
                  {run.status === "missed" ? "Missed: " : "Skipped: "}
                  {run.skipReason}
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      </CardContent>
    </Card>
  );
}

function DraftEditor({ agent, canEdit }: { agent: AgentWorkspaceAgent; canEdit: boolean }) {
  const utils = trpc.useUtils();
  const save = trpc.agent.updateDraft.useMutation({
    onSuccess: (updated) => utils.agent.get.setData({ agentId: agent.id }, updated),
  });
  return (
    <div className="flex flex-col gap-3">
      <SpecEditor
        key={agent.updatedAt}
        spec={agent.draftSpec}
        readOnly={!canEdit}
        saveLabel="Save draft"
        pending={save.isPending}
        apiErrors={save.error ? specErrorsFromApi(errorBodyOf(save.error).error.fieldErrors) : {}}
        onSave={(spec) => save.mutate({ agentId: agent.id, spec })}
      />
      <FormAlert message={save.error ? errorMessageOf(save.error) : null} />
      {save.isSuccess ? (
        <p role="status" className="text-sm text-success">
          Draft saved.
        </p>
      ) : null}
    </div>
  );
}

function VersionsCard({ agentId }: { agentId: string }) {
  const versions = trpc.agent.versions.useQuery({ agentId });
  const [pair, setPair] = useState<{ from: number; to: number } | null>(null);
  const diff = trpc.agent.versionDiff.useQuery(
    { agentId, from: pair?.from ?? 1, to: pair?.to ?? 1 },
    { enabled: pair !== null },
  );
  const numbers = versions.data?.map((version) => version.version) ?? [];
  const latest = numbers.length > 0 ? Math.max(...numbers) : null;
  const chosen = pair ?? (latest && latest > 1 ? { from: latest - 1, to: latest } : null);

  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-lg">Versions</CardTitle>
        <CardDescription>Published versions never change; a run records the one it ran.</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {versions.error ? <ErrorState message={errorMessageOf(versions.error)} /> : null}
        {versions.data && versions.data.length === 0 ? <EmptyState title="Not published yet" /> : null}
        <ul className="flex flex-col gap-1 text-sm" data-testid="agent-versions">
          {versions.data?.map((version) => (
            <li key={version.version}>
              <span className="font-medium">Version {version.version}</span>{" "}
              <span className="text-muted-foreground">· {formatDateTime(version.createdAt)}</span>
            </li>
          ))}
        </ul>
        {chosen ? (
          <div className="flex flex-wrap items-end gap-3">
            {(["from", "to"] as const).map((end) => (
              <div key={end} className="flex flex-col gap-1.5">
                <Label htmlFor={`diff-${end}`}>{end === "from" ? "Compare version" : "with version"}</Label>
                <Select
                  id={`diff-${end}`}
                  value={chosen[end]}
                  onChange={(event) => setPair({ ...chosen, [end]: Number(event.target.value) })}
                >
                  {numbers.map((number) => (
                    <option key={number} value={number}>
                      {number}
                    </option>
                  ))}
                </Select>
              </div>
            ))}
            <Button variant="secondary" onClick={() => setPair(chosen)}>
              Show changes
            </Button>
          </div>
        ) : null}
        {diff.error ? <ErrorState message={errorMessageOf(diff.error)} /> : null}
        {diff.data ? (
          <ul className="flex flex-col gap-1 font-mono text-xs" data-testid="version-diff">
            {diff.data.changes.length === 0 ? <li>No changes.</li> : null}
            {diff.data.changes.map((change) => (
              <li key={change.path} className="break-all">
                {describeSpecChange(change)}
              </li>
            ))}
          </ul>
        ) : null}
      </CardContent>
    </Card>
  );
}
