import { Annotation, END, START, StateGraph, type BaseCheckpointSaver } from "@langchain/langgraph";
import type { AgentMessage, AgentSpec, AgentToolDeclaration } from "@techscaniq/contracts/agents";
import type { ModelPrice } from "../config";
import { estimateTokens } from "../router";
import type { AgentModelAnswer, AgentModelClient } from "./providers";
import { agentCallCost } from "./route";

/**
 * An agent run with a model: a LangGraph loop of a model node and a tools node, checkpointed after
 * every node (thread = the run), so a run resumes where it stopped after a worker dies or after an
 * approval. Recording steps, running tools and approvals are the caller's (the worker's) hooks;
 * each hook is keyed by the step's position, so a node that runs again replays finished steps.
 */

type ToolCall = NonNullable<AgentMessage["toolCalls"]>[number];

export interface AgentGraphHooks {
  /** Records the model call at `seq` around `call`; a call recorded as done is answered from the record. */
  modelStep(
    seq: number,
    request: { messages: AgentMessage[]; tools: AgentToolDeclaration[] },
    call: () => Promise<{ answer: AgentModelAnswer; costUsd: number }>,
  ): Promise<{ answer: AgentModelAnswer; costUsd: number }>;
  /** Runs one tool call as steps from `seq`; returns what the model is told and how many steps it took. */
  toolCall(call: ToolCall, seq: number): Promise<{ content: string; steps: number }>;
}

export interface AgentGraphOptions {
  client: AgentModelClient;
  model: string;
  prices: Record<string, ModelPrice>;
  spec: Pick<AgentSpec, "budget" | "maxSteps">;
  /** The first call's prompt, exactly as `buildAgentPrompt` made it. */
  prompt: { messages: AgentMessage[]; tools: AgentToolDeclaration[] };
  maxOutputTokens: number;
  timeoutMs: number;
  hooks: AgentGraphHooks;
  checkpointer: BaseCheckpointSaver;
  threadId: string;
  signal?: AbortSignal;
}

export type AgentGraphOutcome = "succeeded" | "budget_exceeded" | "max_steps";

export interface AgentGraphResult {
  outcome: AgentGraphOutcome;
  /** The model's last text answer (its summary), empty when it stopped before giving one. */
  summary: string;
  rounds: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

const latest = <T>(initial: T) => Annotation<T>({ reducer: (_, next) => next, default: () => initial });

export const AgentGraphState = Annotation.Root({
  messages: Annotation<AgentMessage[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }),
  /** Position of the next step row of the run. */
  nextSeq: latest(1),
  /** Model calls made. */
  rounds: latest(0),
  inputTokens: latest(0),
  outputTokens: latest(0),
  costUsd: latest(0),
  outcome: latest<AgentGraphOutcome | null>(null),
  summary: latest(""),
});
type State = typeof AgentGraphState.State;

export function buildAgentGraph(options: AgentGraphOptions) {
  const { budget, maxSteps } = options.spec;
  const tools = options.prompt.tools;

  async function modelNode(state: State): Promise<Partial<State>> {
    if (state.rounds >= maxSteps) return { outcome: "max_steps" };
    // What the call may cost at most: its prompt (estimated) and its whole output allowance.
    const promptTokens = estimateTokens(JSON.stringify(state.messages) + JSON.stringify(tools));
    const worstTokens = promptTokens + options.maxOutputTokens;
    const worstUsd = agentCallCost(options.prices, options.model, promptTokens, options.maxOutputTokens);
    if (
      state.inputTokens + state.outputTokens + worstTokens > budget.maxTokens ||
      state.costUsd + worstUsd > budget.maxUsd
    )
      return { outcome: "budget_exceeded" };
    const { answer, costUsd } = await options.hooks.modelStep(
      state.nextSeq,
      { messages: state.messages, tools },
      async () => {
        const answer = await options.client.call({
          model: options.model,
          messages: state.messages,
          tools,
          maxOutputTokens: options.maxOutputTokens,
          timeoutMs: options.timeoutMs,
          signal: options.signal,
        });
        return {
          answer,
          costUsd: agentCallCost(options.prices, options.model, answer.inputTokens, answer.outputTokens),
        };
      },
    );
    return {
      messages: [answer.message],
      nextSeq: state.nextSeq + 1,
      rounds: state.rounds + 1,
      inputTokens: state.inputTokens + answer.inputTokens,
      outputTokens: state.outputTokens + answer.outputTokens,
      costUsd: state.costUsd + costUsd,
      summary: answer.message.content,
    };
  }

  async function toolsNode(state: State): Promise<Partial<State>> {
    const calls = state.messages.at(-1)?.toolCalls ?? [];
    let seq = state.nextSeq;
    const results: AgentMessage[] = [];
    for (const call of calls) {
      const { content, steps } = await options.hooks.toolCall(call, seq);
      seq += steps;
      results.push({ role: "tool", content, toolCallId: call.id });
    }
    return { messages: results, nextSeq: seq };
  }

  return new StateGraph(AgentGraphState)
    .addNode("model", modelNode)
    .addNode("tools", toolsNode)
    .addEdge(START, "model")
    .addConditionalEdges(
      "model",
      (state) => (state.outcome === null && state.messages.at(-1)?.toolCalls?.length ? "tools" : END),
      ["tools", END],
    )
    .addEdge("tools", "model")
    .compile({ checkpointer: options.checkpointer });
}

/** Runs the agent's graph for one run, or resumes it from its last checkpoint. */
export async function runAgentGraph(options: AgentGraphOptions): Promise<AgentGraphResult> {
  const graph = buildAgentGraph(options);
  const config = {
    configurable: { thread_id: options.threadId },
    signal: options.signal,
    durability: "sync" as const,
    // Each round is two nodes; the step limit is the graph's own (maxSteps model calls).
    recursionLimit: options.spec.maxSteps * 2 + 5,
  };
  const existing = await graph.getState(config);
  const started = Object.keys(existing.values ?? {}).length > 0;
  const state: State =
    started && existing.next.length === 0
      ? (existing.values as State)
      : await graph.invoke(started ? null : { messages: options.prompt.messages }, config);
  return {
    outcome: state.outcome ?? "succeeded",
    summary: state.summary,
    rounds: state.rounds,
    inputTokens: state.inputTokens,
    outputTokens: state.outputTokens,
    costUsd: state.costUsd,
  };
}
