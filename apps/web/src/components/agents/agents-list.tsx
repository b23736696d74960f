"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { errorMessageOf } from "../../lib/api-error";
import { formatDateTime } from "../../lib/format";
import { trpc } from "../../lib/trpc";
import { Button, buttonClasses } from "../ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../ui/card";
import { FormAlert } from "../ui/field-error";
import { Input } from "../ui/input";
import { Label } from "../ui/label";
import { SkeletonRows } from "../ui/skeleton";
import { EmptyState, ErrorState } from "../ui/states";
import { AgentStatusBadge, RunStatusBadge } from "./badges";

/** The tenant's agents with their last run, and new agents from a template or the wizard. */
export function AgentsList({ canWrite }: { canWrite: boolean }) {
  const agents = trpc.agent.list.useQuery();

  return (
    <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <section aria-labelledby="agents-heading" className="flex min-w-0 flex-col gap-3">
        <h2 id="agents-heading" className="text-lg font-semibold tracking-tight">
          Agents
        </h2>
        {agents.error ? <ErrorState message={errorMessageOf(agents.error)} /> : null}
        {agents.isPending ? <SkeletonRows label="Loading agents" /> : null}
        {agents.data && agents.data.length === 0 ? (
          <EmptyState title="No agents yet">Start from a template or design one with the wizard.</EmptyState>
        ) : null}
        {agents.data && agents.data.length > 0 ? (
          <Card>
            <table className="w-full text-sm" data-testid="agents-table">
              <thead className="text-left text-muted-foreground">
                <tr>
                  <th className="px-4 py-2 font-medium">Name</th>
                  <th className="px-4 py-2 font-medium">Status</th>
                  <th className="px-4 py-2 font-medium">Version</th>
                  <th className="px-4 py-2 font-medium">Last run</th>
                </tr>
              </thead>
              <tbody>
                {agents.data.map((agent) => (
                  <tr key={agent.id} className="border-t border-border" data-testid="agent-row">
                    <td className="px-4 py-2">
                      <Link href={`/agents/${agent.id}`} className="font-medium text-primary hover:underline">
                        {agent.name}
                      </Link>
                    </td>
                    <td className="px-4 py-2">
                      <AgentStatusBadge status={agent.status} />
                    </td>
                    <td className="px-4 py-2 tabular-nums">{agent.currentVersion ?? "—"}</td>
                    <td className="px-4 py-2">
                      <LastRun agentId={agent.id} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        ) : null}
      </section>
      {canWrite ? <NewAgentCard /> : null}
    </div>
  );
}

/** From the agent's status (batched with the other rows into one request). */
function LastRun({ agentId }: { agentId: string }) {
  const status = trpc.agent.status.useQuery({ agentId });
  const lastRun = status.data?.lastRun;
  if (!status.data) return <span className="text-muted-foreground">…</span>;
  if (!lastRun) return <span className="text-muted-foreground">never</span>;
  return (
    <Link href={`/agents/${agentId}/runs/${lastRun.id}`} className="inline-flex items-center gap-2">
      <RunStatusBadge status={lastRun.status} />
      <span className="text-muted-foreground">{formatDateTime(lastRun.createdAt)}</span>
    </Link>
  );
}

function NewAgentCard() {
  const router = useRouter();
  const templates = trpc.agent.templates.useQuery();
  const [name, setName] = useState("");
  const create = trpc.agent.create.useMutation({ onSuccess: (agent) => router.push(`/agents/${agent.id}`) });

  return (
    <Card className="order-first lg:order-last">
      <CardHeader>
        <CardTitle className="text-lg">New agent</CardTitle>
        <CardDescription>
          From a template (published at version 1), or designed with the wizard.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="new-agent-name">Name</Label>
          <Input id="new-agent-name" value={name} onChange={(event) => setName(event.target.value)} />
        </div>
        <FormAlert message={create.error ? errorMessageOf(create.error) : null} />
        <ul className="flex flex-col gap-3" aria-label="Templates">
          {templates.data?.map((template) => (
            <li key={template.id} className="flex flex-col gap-1" data-testid={`template-${template.id}`}>
              <div className="flex items-center justify-between gap-2">
                <span className="font-medium">{template.title}</span>
                <Button
                  size="sm"
                  variant="secondary"
                  pending={create.isPending && create.variables?.templateId === template.id}
                  onClick={() =>
                    create.mutate({ name: name.trim() || template.title, templateId: template.id })
                  }
                >
                  Create
                </Button>
              </div>
              <p className="text-xs text-muted-foreground">{template.description}</p>
            </li>
          ))}
        </ul>
        <Link href="/agents/new/wizard" className={buttonClasses("primary")}>
          Design with the wizard
        </Link>
      </CardContent>
    </Card>
  );
}
