import { z } from "zod";
import type { AiEnv } from "./env";

/** What the product asks of a model. Routes are chosen per task, never per vendor. */
export const TASKS = ["writeSection", "verifyClaim", "rewriteClaim", "summarise", "scoreThesis"] as const;
export const TaskName = z.enum(TASKS);
export type TaskName = z.infer<typeof TaskName>;

const ProviderId = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, "provider id: lowercase letters, digits and dashes");

/**
 * False for a tenant's own key. Otherwise (unset) the key is the operator's (the deployment's, or one the
 * operator assigned to a tenant): a model without a known price is then refused rather than metered at $0.
 */
const operatorBilled = z.literal(false).optional();
/** True when a tenant chose the base URL: the worker's fetch then applies the private-address policy at call time. */
const tenantUrl = z.literal(true).optional();

export const ProviderConfig = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("openai"), apiKey: z.string().min(1), baseURL: z.string().url().optional(), operatorBilled, tenantUrl }),
  z.object({ kind: z.literal("anthropic"), apiKey: z.string().min(1), baseURL: z.string().url().optional(), operatorBilled, tenantUrl }),
  /** Any server speaking the OpenAI Chat Completions API (vLLM, Ollama, LM Studio). */
  z.object({ kind: z.literal("openai-compatible"), baseURL: z.string().url(), apiKey: z.string().min(1).optional(), tenantUrl }),
  /** The rule-based analyst: no network, no tokens. */
  z.object({ kind: z.literal("offline") }),
]);
export type ProviderConfig = z.infer<typeof ProviderConfig>;

/** One step of a task's fallback chain. `model` is ignored by the offline provider. */
export const RouteStep = z.object({ provider: ProviderId, model: z.string().min(1) });
export type RouteStep = z.infer<typeof RouteStep>;
const RouteChain = z.array(RouteStep).min(1, "a route needs at least one provider");

export const ModelPrice = z.object({
  inputPerMTokUsd: z.number().nonnegative(),
  outputPerMTokUsd: z.number().nonnegative(),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

export const AiConfig = z
  .object({
    providers: z.record(ProviderId, ProviderConfig),
    routes: z.partialRecord(TaskName, RouteChain),
    /**
     * USD per million tokens, per model name. On an operator-billed key a model missing here is refused;
     * elsewhere (a tenant's own key, a local server) it is metered at zero cost and flagged unpriced.
     */
    prices: z.record(z.string(), ModelPrice).default({}),
    retry: z
      .object({
        /** Attempts per provider (1 = no retry). */
        maxAttempts: z.number().int().min(1).max(10).default(3),
        baseDelayMs: z.number().int().min(0).default(500),
        /** A `retry-after` longer than this moves on to the next provider instead of waiting. */
        maxDelayMs: z.number().int().min(0).default(20_000),
      })
      .default({ maxAttempts: 3, baseDelayMs: 500, maxDelayMs: 20_000 }),
    timeoutMs: z.number().int().positive().default(60_000),
    maxOutputTokens: z.number().int().positive().default(2_000),
    reportTokenBudget: z.number().int().positive().default(200_000),
  })
  .superRefine((config, ctx) => {
    for (const [task, chain] of Object.entries(config.routes) as [string, RouteStep[]][]) {
      chain.forEach((step, index) => {
        if (!config.providers[step.provider])
          ctx.addIssue({
            code: "custom",
            path: ["routes", task, index, "provider"],
            message: `route for ${task} names provider "${step.provider}", which is not configured`,
          });
      });
    }
  });
export type AiConfig = z.infer<typeof AiConfig>;
export type AiConfigInput = z.input<typeof AiConfig>;

/** Per-tenant overrides, stored with the tenant and passed in as plain data. */
export const TenantAiSettings = z.object({
  /** Replaces the configured chain for these tasks (providers must exist in the config). */
  routes: z.partialRecord(TaskName, RouteChain).optional(),
  /** Providers this tenant must not use (e.g. no data to a given vendor). */
  disabledProviders: z.array(ProviderId).optional(),
  reportTokenBudget: z.number().int().positive().optional(),
});
export type TenantAiSettings = z.infer<typeof TenantAiSettings>;

export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  "gpt-4o-mini": { inputPerMTokUsd: 0.15, outputPerMTokUsd: 0.6 },
  "gpt-4o": { inputPerMTokUsd: 2.5, outputPerMTokUsd: 10 },
  "gpt-4.1-mini": { inputPerMTokUsd: 0.4, outputPerMTokUsd: 1.6 },
  "claude-haiku-4-5": { inputPerMTokUsd: 1, outputPerMTokUsd: 5 },
  "claude-sonnet-4-5": { inputPerMTokUsd: 3, outputPerMTokUsd: 15 },
};

/** What the operator lets tenants spend on the deployment's keys and servers. */
export interface OperatorAiPolicy {
  /** Models a tenant may choose for a provider it does not bring its own key (or server) for. */
  allowedModels: string[];
  /** The largest report token budget a tenant may set. */
  maxReportTokenBudget: number;
  prices: Record<string, ModelPrice>;
}

export function operatorAiPolicy(aiEnv: AiEnv): OperatorAiPolicy {
  const deploymentModels = [aiEnv.TECHSCANIQ_OPENAI_MODEL, aiEnv.TECHSCANIQ_ANTHROPIC_MODEL, aiEnv.TECHSCANIQ_LOCAL_LLM_MODEL];
  return {
    allowedModels: [...new Set([...deploymentModels, ...aiEnv.TECHSCANIQ_AI_ALLOWED_MODELS])],
    maxReportTokenBudget: aiEnv.TECHSCANIQ_REPORT_TOKEN_BUDGET_MAX ?? aiEnv.TECHSCANIQ_REPORT_TOKEN_BUDGET,
    prices: { ...DEFAULT_PRICES, ...aiEnv.TECHSCANIQ_AI_PRICES },
  };
}

/**
 * Why a tenant may not run `model` on the operator's key or server for `provider`, or null when it may:
 * only allowlisted models, and for the billed vendors only models with a known price.
 */
export function operatorModelRefusal(provider: "openai" | "anthropic" | "local", model: string, policy: OperatorAiPolicy): string | null {
  if (!policy.allowedModels.includes(model))
    return `model "${model}" is not one the operator allows on the deployment's ${provider} access (allowed: ${policy.allowedModels.join(", ")}); bring your own key to use it`;
  if (provider !== "local" && !policy.prices[model]) return `model "${model}" has no known price, so the operator's key is not spent on it`;
  return null;
}

/** The configuration the environment describes: every configured vendor first, the offline analyst last. */
export function defaultAiConfig(aiEnv: AiEnv): AiConfig {
  const providers: Record<string, ProviderConfig> = {};
  const chain: RouteStep[] = [];
  if (aiEnv.OPENAI_API_KEY) {
    providers.openai = { kind: "openai", apiKey: aiEnv.OPENAI_API_KEY, baseURL: aiEnv.OPENAI_BASE_URL };
    chain.push({ provider: "openai", model: aiEnv.TECHSCANIQ_OPENAI_MODEL });
  }
  if (aiEnv.ANTHROPIC_API_KEY) {
    providers.anthropic = { kind: "anthropic", apiKey: aiEnv.ANTHROPIC_API_KEY, baseURL: aiEnv.ANTHROPIC_BASE_URL };
    chain.push({ provider: "anthropic", model: aiEnv.TECHSCANIQ_ANTHROPIC_MODEL });
  }
  if (aiEnv.TECHSCANIQ_LOCAL_LLM_URL) {
    providers.local = { kind: "openai-compatible", baseURL: aiEnv.TECHSCANIQ_LOCAL_LLM_URL };
    chain.push({ provider: "local", model: aiEnv.TECHSCANIQ_LOCAL_LLM_MODEL });
  }
  providers.offline = { kind: "offline" };
  chain.push({ provider: "offline", model: "rules" });
  const routes = Object.fromEntries(TASKS.map((task) => [task, chain])) as Record<TaskName, RouteStep[]>;
  return AiConfig.parse({ providers, routes, prices: operatorAiPolicy(aiEnv).prices, reportTokenBudget: aiEnv.TECHSCANIQ_REPORT_TOKEN_BUDGET });
}
