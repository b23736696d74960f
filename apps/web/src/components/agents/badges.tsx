import type { AgentRunStatus, AgentStatus } from "@techscaniq/contracts/agents";
import { Badge } from "../ui/badge";
import { AGENT_STATUS_TONES, RUN_STATUS_TONES, runStatusLabel } from "./view";

export function AgentStatusBadge({ status }: { status: AgentStatus }) {
  return (
    <Badge tone={AGENT_STATUS_TONES[status]} data-testid="agent-status">
      {status}
    </Badge>
  );
}

export function RunStatusBadge({ status }: { status: AgentRunStatus }) {
  return (
    <Badge tone={RUN_STATUS_TONES[status]} data-testid="run-status" data-status={status}>
      {runStatusLabel(status)}
    </Badge>
  );
}
