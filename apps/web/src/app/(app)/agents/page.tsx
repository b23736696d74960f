import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AgentsList } from "../../../components/agents/agents-list";
import { currentSession } from "../../../server/current-session";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage() {
  const session = await currentSession();
  if (!session?.activeTenant) notFound();
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Agents</h1>
        <p className="text-sm text-muted-foreground">
          Saved research jobs: each run is pinned to a published version of its spec.
        </p>
      </div>
      <AgentsList canWrite={session.activeTenant.role !== "viewer"} />
    </div>
  );
}
