import { z } from "zod";
import { AiConfig, TenantAiSettings, type ProviderConfig, type RouteStep, type TaskName } from "../config";
import {
  classifyFailure,
  modelClientFor,
  type ChatTurn,
  type FailureKind,
  type ModelClient,
  type ProviderFetch,
} from "./providers";

export type UsageOutcome = "ok" | "invalid_answer" | "budget_refused" | FailureKind;

/** One metered model call (the `ai_usage` row). Offline answers are metered too, at zero tokens. */
export interface UsageRecord {
  tenantId: string;
  scanId: string;
  task: TaskName;
  /** The report section the call served, when it served one. */
  section: string | null;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** False when the model has no entry in the price table (cost recorded as 0). */
  priced: boolean;
  latencyMs: number;
  outcome: UsageOutcome;
  error: string | null;
  /** When this call failed and is retried: how long the router waits first (from `retry-after` or backoff). */
  retryDelayMs: number | null;
}

export type RecordUsage = (record: UsageRecord) => void | Promise<void>;

/** A task call: the prompt for network models, the schema every answer must satisfy, and the rules for the offline analyst. */
export interface StructuredTask<T> {
  task: TaskName;
  section?: string;
  schemaName: string;
  schema: z.ZodType<T>;
  system: string;
  user: string;
  /** The offline analyst's answer to the same question; absent when the task has none (the offline step is then skipped). */
  offline?: () => T;
}

export interface TaskResult<T> {
  value: T;
  provider: string;
  model: string;
}

export class AiTaskError extends Error {
  constructor(
    readonly task: TaskName,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The model's answer failed validation, and so did its one corrected answer. Nothing of it is used. */
export class InvalidModelAnswerError extends AiTaskError {}
/** Every provider in the task's chain failed or was refused; `failures` says why, in order. */
export class AllProvidersFailedError extends AiTaskError {
  constructor(
    task: TaskName,
    readonly failures: string[],
  ) {
    super(task, `${task}: every provider failed — ${failures.join("; ")}`);
  }
}

export interface ModelRouterOptions {
  config: AiConfig;
  tenantSettings?: TenantAiSettings;
  recordUsage: RecordUsage;
  tenantId: string;
  scanId: string;
  /** Tokens this report already spent (a resumed report keeps its budget). */
  spentTokens?: number;
  /** HTTP client for one provider's SDK (the worker's SSRF-safe one); default: the global fetch. */
  fetchFor?: (provider: ProviderConfig) => ProviderFetch;
}

export interface ModelRouter {
  run<T>(task: StructuredTask<T>, signal?: AbortSignal): Promise<TaskResult<T>>;
  /** The chain used for a task after tenant overrides. */
  chain(task: TaskName): RouteStep[];
  /** True when the task's chain holds a network model (not only the offline analyst). */
  hasModel(task: TaskName): boolean;
  tokensUsed(): number;
  tokenBudget(): number;
}

/** Tokens a prompt will cost, estimated before sending it (4 characters per token), for the budget check. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;
  return rest;
}

/** What one router keeps between calls. */
interface RouterState {
  config: AiConfig;
  tenant: TenantAiSettings;
  options: ModelRouterOptions;
  budget: number;
  /** Tokens spent so far by this report (including a resumed report's earlier ones). */
  used: number;
  clients: Map<string, ModelClient | null>;
}

/** A tenant route naming a provider the deployment does not have is a configuration error, found at once. */
function checkTenantRoutes(config: AiConfig, tenant: TenantAiSettings): void {
  for (const [task, chain] of Object.entries(tenant.routes ?? {}) as [string, RouteStep[]][]) {
    for (const step of chain)
      if (!config.providers[step.provider])
        throw new Error(
          `tenant route for ${task} names provider "${step.provider}", which is not configured`,
        );
  }
}

function routeChain(state: RouterState, task: TaskName): RouteStep[] {
  const disabled = new Set(state.tenant.disabledProviders ?? []);
  return (state.tenant.routes?.[task] ?? state.config.routes[task] ?? []).filter(
    (step) => !disabled.has(step.provider),
  );
}

/** The provider's client, made once; null for the offline analyst. */
function clientFor(state: RouterState, provider: string): ModelClient | null {
  if (!state.clients.has(provider)) {
    const providerConfig = state.config.providers[provider]!;
    state.clients.set(provider, modelClientFor(providerConfig, state.options.fetchFor?.(providerConfig)));
  }
  return state.clients.get(provider)!;
}

function costOf(
  config: AiConfig,
  model: string,
  inputTokens: number,
  outputTokens: number,
): { costUsd: number; priced: boolean } {
  const price = config.prices[model];
  if (!price) return { costUsd: 0, priced: false };
  return {
    costUsd: (inputTokens * price.inputPerMTokUsd + outputTokens * price.outputPerMTokUsd) / 1_000_000,
    priced: true,
  };
}

function backoffMs(config: AiConfig, attempt: number): number {
  const base = config.retry.baseDelayMs * 2 ** (attempt - 1);
  return Math.min(config.retry.maxDelayMs, Math.round(base * (0.8 + Math.random() * 0.4)));
}

type Meter = (
  step: RouteStep,
  fields: Partial<UsageRecord> & Pick<UsageRecord, "outcome" | "latencyMs">,
) => Promise<void>;

/** Records one call of `task` (the `ai_usage` row), priced from the step's model. */
function meterFor(state: RouterState, task: Pick<StructuredTask<unknown>, "task" | "section">): Meter {
  return async (step, fields) => {
    const inputTokens = fields.inputTokens ?? 0;
    const outputTokens = fields.outputTokens ?? 0;
    await state.options.recordUsage({
      tenantId: state.options.tenantId,
      scanId: state.options.scanId,
      task: task.task,
      section: task.section ?? null,
      provider: step.provider,
      model: fields.model ?? step.model,
      inputTokens,
      outputTokens,
      ...costOf(state.config, step.model, inputTokens, outputTokens),
      latencyMs: fields.latencyMs,
      outcome: fields.outcome,
      error: fields.error ?? null,
      retryDelayMs: fields.retryDelayMs ?? null,
    });
  };
}

/** Why the operator's key is not spent on this step's model, or null when it may be. */
function unpricedRefusal(state: RouterState, step: RouteStep): string | null {
  const provider = state.config.providers[step.provider]!;
  const operatorBilled =
    (provider.kind === "openai" || provider.kind === "anthropic") && provider.operatorBilled !== false;
  // An unpriced model would be metered at $0 on the operator's key: budgets could not see it.
  return operatorBilled && !state.config.prices[step.model]
    ? `model "${step.model}" has no known price, so the operator's key is not spent on it`
    : null;
}

/** Why the next call could overrun the report's token budget, or null when it fits. */
function budgetRefusal(state: RouterState, system: string, turns: ChatTurn[]): string | null {
  const estimate =
    estimateTokens(system + turns.map((turn) => turn.content).join("")) + state.config.maxOutputTokens;
  if (state.used + estimate <= state.budget) return null;
  return `token budget: this call needs up to ${estimate} tokens but only ${Math.max(0, state.budget - state.used)} of ${state.budget} remain for this report`;
}

/** Meters a failed call; says how long to wait before retrying it, or why the step failed (rethrows aborts). */
async function failedCall(
  state: RouterState,
  step: RouteStep,
  meter: Meter,
  error: unknown,
  latencyMs: number,
  attempt: number,
): Promise<{ retryInMs: number } | { failure: string }> {
  const { retry } = state.config;
  const failure = classifyFailure(error);
  const canRetry = failure.retryable && attempt < retry.maxAttempts;
  const delay = canRetry ? (failure.retryAfterMs ?? backoffMs(state.config, attempt)) : null;
  const waits = delay !== null && delay <= retry.maxDelayMs;
  await meter(step, {
    outcome: failure.kind,
    latencyMs,
    error: failure.message,
    retryDelayMs: waits ? delay : null,
  });
  if (failure.kind === "aborted") throw error;
  return waits ? { retryInMs: delay } : { failure: `${failure.kind} (${failure.message})` };
}

/** A step's outcome: the validated answer, or why the router moves on to the next provider. */
type StepOutcome<T> = { value: T; model: string } | { failure: string };

/**
 * Asks one provider: within the token budget, retrying retryable failures after `retry-after` or
 * backoff, and once more with the validation problems fed back when the answer does not fit the schema.
 */
async function askProvider<T>(
  state: RouterState,
  task: StructuredTask<T>,
  step: RouteStep,
  client: ModelClient,
  meter: Meter,
  signal: AbortSignal | undefined,
): Promise<StepOutcome<T>> {
  const { config } = state;
  const turns: ChatTurn[] = [{ role: "user", content: task.user }];
  let attempt = 1;
  let corrected = false;
  for (;;) {
    const overBudget = budgetRefusal(state, task.system, turns);
    if (overBudget) {
      await meter(step, { outcome: "budget_refused", latencyMs: 0, error: overBudget });
      return { failure: overBudget };
    }
    const started = performance.now();
    let answer;
    try {
      answer = await client.complete({
        model: step.model,
        system: task.system,
        turns,
        schemaName: task.schemaName,
        jsonSchema: jsonSchemaOf(task.schema),
        maxOutputTokens: config.maxOutputTokens,
        timeoutMs: config.timeoutMs,
        signal,
      });
    } catch (error) {
      const latencyMs = Math.round(performance.now() - started);
      const next = await failedCall(state, step, meter, error, latencyMs, attempt);
      if ("failure" in next) return next;
      await sleep(next.retryInMs, signal);
      attempt += 1;
      continue;
    }
    const latencyMs = Math.round(performance.now() - started);
    state.used += answer.inputTokens + answer.outputTokens;
    const parsed = task.schema.safeParse(answer.value);
    const tokens = {
      inputTokens: answer.inputTokens,
      outputTokens: answer.outputTokens,
      model: answer.model || step.model,
    };
    if (parsed.success) {
      await meter(step, { ...tokens, outcome: "ok", latencyMs });
      return { value: parsed.data, model: tokens.model };
    }
    const problems = z.prettifyError(parsed.error);
    await meter(step, { ...tokens, outcome: "invalid_answer", latencyMs, error: problems });
    if (corrected)
      throw new InvalidModelAnswerError(
        task.task,
        `${task.task}${task.section ? ` (${task.section})` : ""}: ${step.provider}/${step.model} gave an invalid answer twice; last problems: ${problems}`,
      );
    corrected = true;
    turns.push(
      { role: "assistant", content: answer.text },
      {
        role: "user",
        content: `Your answer does not match the required structure:\n${problems}\nAnswer again with the complete, corrected structure.`,
      },
    );
  }
}

/** Runs a task along its chain: the first valid answer wins; the offline analyst answers by rules. */
async function runTask<T>(
  state: RouterState,
  task: StructuredTask<T>,
  signal?: AbortSignal,
): Promise<TaskResult<T>> {
  const steps = routeChain(state, task.task);
  if (steps.length === 0)
    throw new AllProvidersFailedError(task.task, ["no provider is routed for this task"]);
  const failures: string[] = [];
  const meter = meterFor(state, task);
  for (const step of steps) {
    const client = clientFor(state, step.provider);
    if (!client) {
      if (!task.offline) continue;
      const started = performance.now();
      // Offline rules are code, but their output still passes the same schema as a model's.
      const value = task.schema.parse(task.offline());
      await meter(step, { outcome: "ok", latencyMs: Math.round(performance.now() - started) });
      return { value, provider: step.provider, model: step.model };
    }
    const refusal = unpricedRefusal(state, step);
    if (refusal) {
      await meter(step, { outcome: "budget_refused", latencyMs: 0, error: refusal });
      failures.push(`${step.provider}/${step.model}: ${refusal}`);
      continue;
    }
    const outcome = await askProvider(state, task, step, client, meter, signal);
    if ("value" in outcome) return { value: outcome.value, provider: step.provider, model: outcome.model };
    failures.push(`${step.provider}/${step.model}: ${outcome.failure}`);
  }
  throw new AllProvidersFailedError(task.task, failures);
}

export function createModelRouter(options: ModelRouterOptions): ModelRouter {
  const config = AiConfig.parse(options.config);
  const tenant = TenantAiSettings.parse(options.tenantSettings ?? {});
  checkTenantRoutes(config, tenant);
  const state: RouterState = {
    config,
    tenant,
    options,
    budget: tenant.reportTokenBudget ?? config.reportTokenBudget,
    used: options.spentTokens ?? 0,
    clients: new Map(),
  };
  return {
    run: (task, signal) => runTask(state, task, signal),
    chain: (task) => routeChain(state, task),
    hasModel: (task) => routeChain(state, task).some((step) => clientFor(state, step.provider) !== null),
    tokensUsed: () => state.used,
    tokenBudget: () => state.budget,
  };
}
