import { ModelPrice, operatorAiPolicy, TASKS, TaskName } from "@techscaniq/contracts/ai";
import { z } from "zod";
import type { AiEnv } from "./env";

export { TASKS, TaskName } from "@techscaniq/contracts/ai";
export {
  DEFAULT_PRICES,
  ModelPrice,
  operatorAiPolicy,
  operatorModelRefusal,
  type OperatorAiPolicy,
} from "@techscaniq/contracts/ai";

const ProviderId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, "provider id: lowercase letters, digits and dashes");

/**
 * False for a tenant's own key. Otherwise (unset) the key is the operator's (the deployment's, or one the
 * operator assigned to a tenant): a model without a known price is then refused rather than metered at $0.
 */
const operatorBilled = z.literal(false).optional();
/** True when a tenant chose the base URL: the worker's fetch then applies the private-address policy at call time. */
const tenantUrl = z.literal(true).optional();

export const ProviderConfig = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("openai"),
    apiKey: z.string().min(1),
    baseURL: z.string().url().optional(),
    operatorBilled,
    tenantUrl,
  }),
  z.object({
    kind: z.literal("anthropic"),
    apiKey: z.string().min(1),
    baseURL: z.string().url().optional(),
    operatorBilled,
    tenantUrl,
  }),
  /** Any server speaking the OpenAI Chat Completions API (vLLM, Ollama, LM Studio). */
  z.object({
    kind: z.literal("openai-compatible"),
    baseURL: z.string().url(),
    apiKey: z.string().min(1).optional(),
    tenantUrl,
  }),
  /** The rule-based analyst: no network, no tokens. */
  z.object({ kind: z.literal("offline") }),
]);
export type ProviderConfig = z.infer<typeof ProviderConfig>;

/** One step of a task's fallback chain. `model` is ignored by the offline provider. */
export const RouteStep = z.object({ provider: ProviderId, model: z.string().min(1) });
export type RouteStep = z.infer<typeof RouteStep>;
const RouteChain = z.array(RouteStep).min(1, "a route needs at least one provider");

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

/** The configuration the environment describes: every configured vendor first, the offline analyst last. */
export function defaultAiConfig(aiEnv: AiEnv): AiConfig {
  const providers: Record<string, ProviderConfig> = {};
  const chain: RouteStep[] = [];
  if (aiEnv.OPENAI_API_KEY) {
    providers.openai = { kind: "openai", apiKey: aiEnv.OPENAI_API_KEY, baseURL: aiEnv.OPENAI_BASE_URL };
    chain.push({ provider: "openai", model: aiEnv.TECHSCANIQ_OPENAI_MODEL });
  }
  if (aiEnv.ANTHROPIC_API_KEY) {
    providers.anthropic = {
      kind: "anthropic",
      apiKey: aiEnv.ANTHROPIC_API_KEY,
      baseURL: aiEnv.ANTHROPIC_BASE_URL,
    };
    chain.push({ provider: "anthropic", model: aiEnv.TECHSCANIQ_ANTHROPIC_MODEL });
  }
  if (aiEnv.TECHSCANIQ_LOCAL_LLM_URL) {
    providers.local = { kind: "openai-compatible", baseURL: aiEnv.TECHSCANIQ_LOCAL_LLM_URL };
    chain.push({ provider: "local", model: aiEnv.TECHSCANIQ_LOCAL_LLM_MODEL });
  }
  providers.offline = { kind: "offline" };
  chain.push({ provider: "offline", model: "rules" });
  const routes = Object.fromEntries(TASKS.map((task) => [task, chain])) as Record<TaskName, RouteStep[]>;
  return AiConfig.parse({
    providers,
    routes,
    prices: operatorAiPolicy(aiEnv).prices,
    reportTokenBudget: aiEnv.TECHSCANIQ_REPORT_TOKEN_BUDGET,
  });
}
