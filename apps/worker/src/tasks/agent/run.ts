import { classifyFailure, type AiConfig, type ProviderConfig, type ProviderFetch } from "@techscaniq/ai";
import {
  agentModelClientFor,
  priceTableVersion,
  resolveAgentModel,
  runAgentGraph,
  type AgentModelAnswer,
} from "@techscaniq/ai/agents";
import type { AllowPrivate } from "@techscaniq/contracts/address";
import {
  AGENT_TOOL_NAMES,
  AGENT_TOOLS,
  agentInputProblems,
  buildAgentPrompt,
  planItems,
  resolvePlanInput,
  stableJson,
  type AgentRunStatus,
  type AgentToolName,
  type AgentToolOutput,
} from "@techscaniq/contracts/agents";
import type { Db } from "@techscaniq/db";
import { checkpointerFor } from "../report/generate";
import type { TenantAiLoader } from "../report/tenant-ai";
import {
  cancelRequested,
  finishRun,
  finishStep,
  isTerminal,
  loadRun,
  markRunning,
  markWaitingApproval,
  meterAbandonedCall,
  startStep,
  stepsOf,
  type AgentRunRow,
  type AgentStepRow,
  type ModelCallUsage,
  type RunOutput,
} from "./store";
import { cancelAgentScan, PipelineWait, runAgentTool, ToolError, type ToolContext } from "./tools";

export interface AgentRunSettings {
  db: Db;
  /** The database holding LangGraph's checkpoints: a model run resumes from its last node. */
  connectionString: string;
  aiConfig: AiConfig;
  /** Each tenant's own providers, keys and routes; without it every tenant uses aiConfig. */
  tenantAi?: TenantAiLoader;
  providerFetch: (provider: ProviderConfig) => ProviderFetch;
  /** The scanner's address policy, checked before scan_url starts a scan. */
  allowPrivate: AllowPrivate;
  /** How long scan_url and get_report wait for the pipeline. */
  toolWaitMs: number;
  /** How often a running run looks for a cancel request. */
  cancelPollMs?: number;
}

/** How soon a run waiting for a scan or report is looked at again. */
const PIPELINE_POLL_MS = 2_000;

export interface AgentRunJob {
  /** The worker's shutdown signal: the run is left to resume, not ended. */
  signal?: AbortSignal;
  /** Queues the run's job again at `runAt`: it waits for a scan or report without holding a worker slot. */
  requeue(runAt: Date): Promise<void>;
}

/** The run waits for a member's decision; its job ends here. */
class WaitingForApproval extends Error {
  override name = "WaitingForApproval";
}

/** A failure no retry can fix (bad input, a plan reference, a refused model): the run ends failed. */
class RunFailure extends Error {
  override name = "RunFailure";
}

/** Another attempt holds the run: this one is retried later, and never ends the run. */
export class RunBusy extends Error {
  override name = "RunBusy";
}

class RunCancelled extends Error {
  override name = "RunCancelled";
  constructor() {
    super("the run was cancelled");
  }
}

type ToolResult = { output: unknown; steps: number } | { error: string; steps: number };

/** A cancelled run stops the scans its unfinished scan_url steps started. */
async function cancelStartedScans(db: Db, run: { id: string; tenant_id: string }): Promise<void> {
  for (const step of await stepsOf(db, run.id)) {
    const scanId = (step.response as { scanId?: unknown } | null)?.scanId;
    if (step.name === "scan_url" && step.status === "running" && typeof scanId === "string")
      await cancelAgentScan(db, run, scanId);
  }
}

async function endCancelled(db: Db, run: AgentRunRow, summary: string): Promise<"cancelled"> {
  await cancelStartedScans(db, run);
  await finishRun(db, run, "cancelled", await collectOutput(db, run.id, summary));
  return "cancelled";
}

/** What the run produced, read back from its steps: every tool result, every proposed action. */
async function collectOutput(db: Db, runId: string, summary: string): Promise<RunOutput> {
  const done = (await stepsOf(db, runId)).filter((step) => step.kind === "tool_call" && step.status === "ok");
  return {
    summary,
    results: done.map((step) => ({ tool: step.name, input: step.request, output: step.response })),
    actions: done
      .filter((step) => step.name === "propose_action")
      .map((step) => {
        const input = step.request as { title: string; body: string };
        const output = step.response as AgentToolOutput<"propose_action">;
        return { action: output.action, title: input.title, body: input.body, state: output.state };
      }),
  };
}

/** The offline runner's summary: deterministic, from the tool results alone. */
function planSummary(output: RunOutput["results"]): string {
  const lines = output.map(({ tool, input, output: result }) => {
    if (tool === "scan_url") {
      const scan = result as AgentToolOutput<"scan_url">;
      const technologies = scan.findings
        .filter((finding) => finding.kind === "technology")
        .map(
          (finding) =>
            `${finding.version ? `${finding.name} ${finding.version}` : finding.name}` +
            `${finding.inferred ? " (inferred)" : ""}`,
        );
      if (scan.error) return `${scan.url}: scan ${scan.status}: ${scan.error}`;
      return `${scan.url}: scan ${scan.status}; technologies: ${technologies.join(", ") || "none found"}.`;
    }
    if (tool === "compare_scans") {
      const { changes } = result as AgentToolOutput<"compare_scans">;
      const subject =
        (input as { url?: string; scanId?: string }).url ?? (input as { scanId: string }).scanId;
      if (changes.length === 0) return `${subject}: nothing changed since the previous scan.`;
      const listed = changes.map((change) => `${change.change} ${change.subject} (${change.detail})`);
      return `${subject}: ${listed.join("; ")}.`;
    }
    if (tool === "propose_action") {
      const action = result as AgentToolOutput<"propose_action">;
      return `${action.action}: ${action.state}.`;
    }
    return `${tool}: done.`;
  });
  return [`Ran the agent's plan without a model (${output.length} tool calls).`, ...lines].join("\n");
}

/**
 * Runs (or resumes) one agent run and returns the status it is left in. Idempotent: steps already
 * finished are replayed from their rows (a model run also from its LangGraph checkpoint), a finished
 * run is left alone, a run waiting for approval stays waiting. Transient failures are thrown, so
 * graphile-worker retries the job and the run continues where it stopped.
 */
export async function executeAgentRun(
  settings: AgentRunSettings,
  runId: string,
  job: AgentRunJob,
): Promise<AgentRunStatus | "gone"> {
  const { db } = settings;
  const loaded = await loadRun(db, runId);
  if (!loaded) return "gone";
  const { run, spec, agentName } = loaded;
  if (isTerminal(run.status)) return run.status;
  // Also a run waiting for approval: the cancel's job ends it rather than leaving it waiting.
  if (run.cancel_requested_at) return endCancelled(db, run, "Cancelled.");
  if (run.status === "waiting_approval") return run.status;
  // One attempt at a time: a job released by recovery while its first attempt still runs waits its turn.
  const lock = await db.pool.connect();
  try {
    const { rows } = await lock.query<{ locked: boolean }>(
      "select pg_try_advisory_lock(hashtextextended($1, 0)) as locked",
      [`agent_run:${run.id}`],
    );
    if (!rows[0]?.locked) throw new RunBusy(`agent run ${run.id} is being run by another attempt`);
    try {
      return await executeLocked(settings, { run, spec, agentName }, job);
    } finally {
      await lock.query("select pg_advisory_unlock(hashtextextended($1, 0))", [`agent_run:${run.id}`]);
    }
  } finally {
    lock.release();
  }
}

async function executeLocked(
  settings: AgentRunSettings,
  { run, spec, agentName }: NonNullable<Awaited<ReturnType<typeof loadRun>>>,
  job: AgentRunJob,
): Promise<AgentRunStatus> {
  const { db } = settings;
  const { config, tenantSettings } = settings.tenantAi
    ? await settings.tenantAi(run.tenant_id)
    : { config: settings.aiConfig, tenantSettings: {} };
  await markRunning(db, run, priceTableVersion(config.prices));

  const cancel = new AbortController();
  const signal = job.signal ? AbortSignal.any([cancel.signal, job.signal]) : cancel.signal;
  const watcher = setInterval(() => {
    cancelRequested(db, run.id).then(
      (requested) => requested && cancel.abort(new RunCancelled()),
      () => undefined,
    );
  }, settings.cancelPollMs ?? 250);
  /** No step starts once a cancel was asked for, whether or not the watcher has seen it yet. */
  const beforeStep = async () => {
    if (!cancel.signal.aborted && (await cancelRequested(db, run.id))) cancel.abort(new RunCancelled());
    signal.throwIfAborted();
  };
  const recorded = new Map<number, AgentStepRow>((await stepsOf(db, run.id)).map((step) => [step.seq, step]));

  async function toolStep(name: string, rawInput: unknown, firstSeq: number): Promise<ToolResult> {
    let seq = firstSeq;
    let decision: ToolContext["decision"];
    const known = (AGENT_TOOL_NAMES as readonly string[]).includes(name);
    const allowed = known && spec.tools.includes(name as AgentToolName);
    const inputOk = allowed && AGENT_TOOLS[name as AgentToolName].input.safeParse(rawInput).success;
    if (inputOk && name === "propose_action" && spec.autonomy === "approve") {
      // The approval comes before the action: a member decides, then the decision is read back here.
      const approval = recorded.get(seq);
      if (!approval) {
        await beforeStep();
        await startStep(db, run, { seq, kind: "approval", name, request: rawInput, status: "waiting" });
        await markWaitingApproval(db, run, seq, rawInput);
        throw new WaitingForApproval();
      }
      if (approval.status === "waiting") throw new WaitingForApproval();
      decision = approval.status === "approved" ? "approved" : "rejected";
      seq += 1;
    }
    const steps = seq - firstSeq + 1;
    const existing = recorded.get(seq);
    if (existing?.status === "ok") return { output: existing.response, steps };
    if (existing?.status === "error") return { error: existing.error_message ?? "failed", steps };
    await beforeStep();
    // A step that waited for the pipeline continues as it is (same start, what it saved).
    const continuing =
      existing?.status === "running" && existing.kind === "tool_call" && existing.name === name;
    if (!continuing) await startStep(db, run, { seq, kind: "tool_call", name, request: rawInput });
    try {
      if (!allowed)
        throw new ToolError(`tool ${name} is not one this agent may use (${spec.tools.join(", ")})`);
      const { output } = await runAgentTool(name as AgentToolName, rawInput, {
        db,
        run,
        spec,
        seq,
        saved: continuing ? existing.response : null,
        startedAt: continuing ? existing.started_at : new Date(),
        allowPrivate: settings.allowPrivate,
        waitMs: settings.toolWaitMs,
        decision,
      });
      await finishStep(db, run, seq, { status: "ok", response: output });
      return { output, steps };
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      await finishStep(db, run, seq, { status: "error", error: error.message });
      return { error: error.message, steps };
    }
  }

  async function runPlan(): Promise<string> {
    if (spec.plan.length === 0)
      throw new RunFailure("no AI provider is configured and the agent declares no plan to run without one");
    let seq = 1;
    const latest: Record<string, unknown> = {};
    for (const step of spec.plan) {
      let items: unknown[];
      try {
        items = planItems(step, run.input);
      } catch (error) {
        throw new RunFailure((error as Error).message);
      }
      for (const item of items) {
        let input: unknown;
        try {
          input = resolvePlanInput(step.input, { input: run.input, item, steps: latest });
        } catch (error) {
          throw new RunFailure((error as Error).message);
        }
        const result = await toolStep(step.tool, input, seq);
        seq += result.steps;
        if ("error" in result) throw new RunFailure(`plan step ${step.tool}: ${result.error}`);
        latest[step.tool] = result.output;
      }
    }
    return planSummary((await collectOutput(db, run.id, "")).results);
  }

  try {
    const problems = agentInputProblems(spec, run.input);
    if (problems) throw new RunFailure(`the run input does not fit the agent's input schema: ${problems}`);
    let choice: ReturnType<typeof resolveAgentModel>;
    try {
      choice = resolveAgentModel(config, tenantSettings, spec.modelRoute);
    } catch (error) {
      throw new RunFailure((error as Error).message);
    }
    let status: "succeeded" | "failed" | "budget_exceeded" = "succeeded";
    let summary: string;
    let error: string | null = null;
    if (choice.kind === "offline") summary = await runPlan();
    else {
      const { provider, model } = choice;
      const client = agentModelClientFor(choice.config, settings.providerFetch(choice.config))!;
      const saver = await checkpointerFor(settings.connectionString);
      const result = await runAgentGraph({
        client,
        model,
        prices: config.prices,
        spec,
        prompt: buildAgentPrompt({ name: agentName, version: run.agent_version, spec }, run.input),
        maxOutputTokens: config.maxOutputTokens,
        timeoutMs: config.timeoutMs,
        checkpointer: saver,
        threadId: run.id,
        signal,
        hooks: {
          modelStep: async (seq, request, call) => {
            const existing = recorded.get(seq);
            if (existing?.status === "ok")
              return {
                answer: existing.response as unknown as AgentModelAnswer,
                costUsd: Number(existing.cost_usd),
              };
            await beforeStep();
            await startStep(db, run, { seq, kind: "model_call", name: `${provider}/${model}`, request });
            const started = performance.now();
            const usage = (outcome: string): ModelCallUsage => ({
              provider,
              model,
              priced: Boolean(config.prices[model]),
              latencyMs: performance.now() - started,
              outcome,
            });
            try {
              const result = await call();
              await finishStep(db, run, seq, {
                status: "ok",
                response: result.answer,
                inputTokens: result.answer.inputTokens,
                outputTokens: result.answer.outputTokens,
                costUsd: result.costUsd,
                usage: usage("ok"),
              });
              return result;
            } catch (failure) {
              const classified = classifyFailure(failure);
              if (signal.aborted) {
                await meterAbandonedCall(db, run, usage("aborted"), classified.message);
                throw failure;
              }
              await finishStep(db, run, seq, {
                status: "error",
                error: classified.message,
                usage: usage(classified.kind),
              });
              if (classified.retryable) throw failure;
              throw new RunFailure(`${provider}/${model}: ${classified.message}`);
            }
          },
          toolCall: async (call, seq) => {
            let input: unknown;
            try {
              input = JSON.parse(call.arguments);
            } catch {
              input = { unparsedArguments: call.arguments.slice(0, 2000) };
            }
            const result = await toolStep(call.name, input, seq);
            return {
              content: stableJson("error" in result ? { error: result.error } : result.output),
              steps: result.steps,
            };
          },
        },
      });
      summary = result.summary;
      if (result.outcome === "budget_exceeded") status = "budget_exceeded";
      if (result.outcome === "max_steps") {
        status = "failed";
        error = `the run reached its step limit of ${spec.maxSteps} model calls`;
      }
      await saver.deleteThread(run.id);
    }
    await finishRun(db, run, status, await collectOutput(db, run.id, summary), error);
    return status;
  } catch (error) {
    if (error instanceof WaitingForApproval) return "waiting_approval";
    if (error instanceof PipelineWait && !cancel.signal.aborted) {
      await job.requeue(new Date(Date.now() + PIPELINE_POLL_MS));
      return "running";
    }
    if (cancel.signal.aborted) return endCancelled(db, run, "Cancelled.");
    if (error instanceof RunFailure) {
      await finishRun(db, run, "failed", await collectOutput(db, run.id, ""), error.message);
      return "failed";
    }
    throw error;
  } finally {
    clearInterval(watcher);
  }
}

/** The job's last attempt failed: the run ends failed with the reason (steps done stay). */
export async function failAgentRun(db: Db, runId: string, message: string): Promise<void> {
  const loaded = await loadRun(db, runId);
  if (!loaded || isTerminal(loaded.run.status)) return;
  await finishRun(db, loaded.run, "failed", await collectOutput(db, runId, ""), message);
}
