import {
  TERMINAL_AGENT_RUN_STATUSES,
  type AgentRunStatus,
  type AgentStatus,
} from "@techscaniq/contracts/agents";
import type { BadgeTone } from "../ui/badge";

/** How agent and run pages show statuses, costs and what a person may do next. Pure. */

export const AGENT_STATUS_TONES: Record<AgentStatus, BadgeTone> = {
  draft: "neutral",
  published: "success",
  paused: "warning",
  archived: "neutral",
};

export const RUN_STATUS_TONES: Record<AgentRunStatus, BadgeTone> = {
  queued: "neutral",
  running: "info",
  waiting_approval: "warning",
  succeeded: "success",
  failed: "danger",
  cancelled: "warning",
  budget_exceeded: "danger",
  skipped: "neutral",
  missed: "warning",
};

export const runStatusLabel = (status: AgentRunStatus) =>
  status === "waiting_approval" ? "waiting for approval" : status.replace("_", " ");

export const isRunEnded = (status: AgentRunStatus) =>
  (TERMINAL_AGENT_RUN_STATUSES as readonly string[]).includes(status);

/** USD with enough digits that a small model call is not shown as $0.00. */
export function formatUsd(amount: number): string {
  if (amount === 0) return "$0";
  return amount < 0.01 ? `$${amount.toFixed(6).replace(/0+$/, "")}` : `$${amount.toFixed(2)}`;
}

const count = (value: number) => value.toLocaleString("en-US");
export const formatTokens = (input: number, output: number) =>
  `${count(input + output)} tokens (${count(input)} in, ${count(output)} out)`;

/** The buttons a writer sees on a run: cancel while it may still do something, decide while it waits. */
export function runActions(run: { status: AgentRunStatus; cancelRequestedAt: string | null }) {
  const ended = isRunEnded(run.status);
  return {
    cancel: !ended,
    cancelling: !ended && run.cancelRequestedAt !== null,
    decide: run.status === "waiting_approval",
    retry: ended,
  };
}

/** What the agent's buttons may do from its status (the API enforces the same transitions). */
export function agentActions(agent: { status: AgentStatus; currentVersion: number | null }) {
  return {
    run: agent.status === "published" && agent.currentVersion !== null,
    publish: agent.status !== "archived",
    pause: agent.status === "published",
    resume: agent.status === "paused",
    archive: agent.status === "published" || agent.status === "paused",
    delete: agent.status === "draft",
    edit: agent.status !== "archived",
  };
}

/** One change between two versions as a line of text; values are JSON so nothing is interpreted. */
export function describeSpecChange(change: { path: string; from?: unknown; to?: unknown }): string {
  const show = (value: unknown) => (value === undefined ? "—" : JSON.stringify(value));
  if (change.from === undefined) return `${change.path}: added ${show(change.to)}`;
  if (change.to === undefined) return `${change.path}: removed (was ${show(change.from)})`;
  return `${change.path}: ${show(change.from)} → ${show(change.to)}`;
}
