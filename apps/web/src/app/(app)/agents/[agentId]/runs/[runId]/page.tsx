import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RunWorkspace } from "../../../../../../components/agents/run-workspace";
import { isNotVisible } from "../../../../../../server/api";
import { sessionApi } from "../../../../../../server/current-session";

export const metadata: Metadata = { title: "Agent run" };

/** The run as the user may see it (RLS decides); another tenant's run, or one of another agent, is a 404. */
export default async function AgentRunPage({
  params,
}: {
  params: Promise<{ agentId: string; runId: string }>;
}) {
  const { agentId, runId } = await params;
  const context = await sessionApi();
  if (!context?.session.activeTenant) notFound();
  const hidden = (error: unknown) => {
    if (isNotVisible(error)) return null;
    throw error;
  };
  const [run, agent] = await Promise.all([
    context.api.agentRun.get.query({ runId }).catch(hidden),
    context.api.agent.get.query({ agentId }).catch(hidden),
  ]);
  if (!run || !agent || run.agentId !== agent.id) notFound();
  return (
    <RunWorkspace
      initialRun={run}
      agentName={agent.name}
      canWrite={context.session.activeTenant.role !== "viewer"}
      canManage={["admin", "owner"].includes(context.session.activeTenant.role)}
    />
  );
}
