import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AgentWorkspace } from "../../../../components/agents/agent-workspace";
import { isNotVisible } from "../../../../server/api";
import { sessionApi } from "../../../../server/current-session";

export const metadata: Metadata = { title: "Agent" };

/** Reads the agent as the user (RLS decides); another tenant's agent is the same 404 as none at all. */
export default async function AgentPage({ params }: { params: Promise<{ agentId: string }> }) {
  const { agentId } = await params;
  const context = await sessionApi();
  if (!context?.session.activeTenant) notFound();
  const agent = await context.api.agent.get.query({ agentId }).catch((error: unknown) => {
    if (isNotVisible(error)) return null;
    throw error;
  });
  if (!agent) notFound();
  return <AgentWorkspace initialAgent={agent} canWrite={context.session.activeTenant.role !== "viewer"} />;
}
