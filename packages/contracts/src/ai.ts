import { z } from "zod";

/** What the product asks of a model. Routes are chosen per task, never per vendor. */
export const TASKS = ["writeSection", "verifyClaim", "rewriteClaim", "summarise", "scoreThesis"] as const;
export const TaskName = z.enum(TASKS);
export type TaskName = z.infer<typeof TaskName>;

/**
 * The `ai_usage` task of an agent run's model step. Not a routed task: an agent's calls follow its
 * spec's model route; the name only lets usage tell agent calls from report calls.
 */
export const AGENT_USAGE_TASK = "runAgent";
/** The `ai_usage` task of the design wizard's diagram analysis (a vision call, not a routed task either). */
export const DIAGRAM_USAGE_TASK = "analyzeDiagram";

/** Providers a tenant can choose between: its own keys go to the first three; `local` is any OpenAI-compatible server. */
export const TENANT_PROVIDERS = ["openai", "anthropic", "local", "offline"] as const;
export const TenantProvider = z.enum(TENANT_PROVIDERS);
export type TenantProvider = z.infer<typeof TenantProvider>;

/** Providers that take a model, a base URL and a key. */
export const KEYED_PROVIDERS = ["openai", "anthropic", "local"] as const;
export type KeyedProvider = (typeof KEYED_PROVIDERS)[number];

/** What a tenant's sealed provider key is bound to (the secret box's context): copied to another tenant or provider, it does not open. */
export const tenantKeyContext = (tenantId: string, provider: KeyedProvider) =>
  `tenant:${tenantId}:ai:${provider}`;

/** What an operator-assigned key is bound to: it does not open as the tenant's own key, nor for another tenant. */
export const operatorKeyContext = (tenantId: string, provider: KeyedProvider) =>
  `operator:${tenantId}:ai:${provider}`;

export const ModelPrice = z.object({
  inputPerMTokUsd: z.number().nonnegative(),
  outputPerMTokUsd: z.number().nonnegative(),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

export const DEFAULT_PRICES: Record<string, ModelPrice> = {
  "gpt-4o-mini": { inputPerMTokUsd: 0.15, outputPerMTokUsd: 0.6 },
  "gpt-4o": { inputPerMTokUsd: 2.5, outputPerMTokUsd: 10 },
  "gpt-4.1-mini": { inputPerMTokUsd: 0.4, outputPerMTokUsd: 1.6 },
  "claude-haiku-4-5": { inputPerMTokUsd: 1, outputPerMTokUsd: 5 },
  "claude-sonnet-4-5": { inputPerMTokUsd: 3, outputPerMTokUsd: 15 },
};

const MODEL_NAME = String.raw`[\w.:/@-]+`;
const PRICE_ENTRY = String.raw`${MODEL_NAME}=\d+(\.\d+)?\/\d+(\.\d+)?`;

/**
 * The environment variables that say what tenants may spend on the deployment's keys. A schema only:
 * the ai package (which runs the models) and the api package (which checks tenants' settings) each parse
 * it in their own env.ts.
 */
export const OperatorAiPolicyEnv = z.object({
  TECHSCANIQ_OPENAI_MODEL: z.string().min(1).default("gpt-4o-mini"),
  TECHSCANIQ_ANTHROPIC_MODEL: z.string().min(1).default("claude-haiku-4-5"),
  TECHSCANIQ_LOCAL_LLM_MODEL: z.string().min(1).default("llama3.1"),
  /** Tokens (input + output) one report may spend across all its model calls. */
  TECHSCANIQ_REPORT_TOKEN_BUDGET: z.coerce.number().int().positive().default(200_000),
  /** The largest budget a tenant may set for its reports; default: TECHSCANIQ_REPORT_TOKEN_BUDGET. */
  TECHSCANIQ_REPORT_TOKEN_BUDGET_MAX: z.coerce.number().int().positive().optional(),
  /** Comma-separated models tenants may choose on the deployment's keys, besides the deployment's own models. */
  TECHSCANIQ_AI_ALLOWED_MODELS: z
    .string()
    .regex(new RegExp(`^${MODEL_NAME}(,${MODEL_NAME})*$`), "must be model names separated by commas")
    .optional()
    .transform((list) => list?.split(",") ?? []),
  /** Extra prices, `model=input/output` USD per million tokens, comma-separated (e.g. `gpt-5=1.25/10`). */
  TECHSCANIQ_AI_PRICES: z
    .string()
    .regex(
      new RegExp(`^${PRICE_ENTRY}(,${PRICE_ENTRY})*$`),
      "must be model=input/output USD per million tokens, comma-separated",
    )
    .optional()
    .transform((list) =>
      Object.fromEntries(
        (list?.split(",") ?? []).map((entry) => {
          const [model, price] = entry.split("=") as [string, string];
          const [input, output] = price.split("/").map(Number) as [number, number];
          return [model, { inputPerMTokUsd: input, outputPerMTokUsd: output }];
        }),
      ),
    ),
});
export type OperatorAiPolicyEnv = z.infer<typeof OperatorAiPolicyEnv>;

/** What the operator lets tenants spend on the deployment's keys and servers. */
export interface OperatorAiPolicy {
  /** Models a tenant may choose for a provider it does not bring its own key (or server) for. */
  allowedModels: string[];
  /** The largest report token budget a tenant may set. */
  maxReportTokenBudget: number;
  prices: Record<string, ModelPrice>;
}

export function operatorAiPolicy(env: OperatorAiPolicyEnv): OperatorAiPolicy {
  const deploymentModels = [
    env.TECHSCANIQ_OPENAI_MODEL,
    env.TECHSCANIQ_ANTHROPIC_MODEL,
    env.TECHSCANIQ_LOCAL_LLM_MODEL,
  ];
  return {
    allowedModels: [...new Set([...deploymentModels, ...env.TECHSCANIQ_AI_ALLOWED_MODELS])],
    maxReportTokenBudget: env.TECHSCANIQ_REPORT_TOKEN_BUDGET_MAX ?? env.TECHSCANIQ_REPORT_TOKEN_BUDGET,
    prices: { ...DEFAULT_PRICES, ...env.TECHSCANIQ_AI_PRICES },
  };
}

/**
 * Why a tenant may not run `model` on the operator's key or server for `provider`, or null when it may:
 * only allowlisted models, and for the billed vendors only models with a known price.
 */
export function operatorModelRefusal(
  provider: KeyedProvider,
  model: string,
  policy: OperatorAiPolicy,
): string | null {
  if (!policy.allowedModels.includes(model))
    return `model "${model}" is not one the operator allows on the deployment's ${provider} access (allowed: ${policy.allowedModels.join(", ")}); bring your own key to use it`;
  if (provider !== "local" && !policy.prices[model])
    return `model "${model}" has no known price, so the operator's key is not spent on it`;
  return null;
}
