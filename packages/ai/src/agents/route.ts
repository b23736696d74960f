import { createHash } from "node:crypto";
import { stableJson, type AgentSpec } from "@techscaniq/contracts/agents";
import type { AiConfig, ModelPrice, ProviderConfig, TenantAiSettings } from "../config";

/** The model an agent's calls go to, or `offline` when the run follows its declared plan instead. */
export type AgentModelChoice =
  { kind: "offline" } | { kind: "model"; provider: string; model: string; config: ProviderConfig };

/**
 * Resolves an agent's model route against the tenant's AI config. `tenant` follows the tenant's
 * chain for writing (its own keys first, then the deployment's), taking the first network model and
 * the offline plan when there is none. A named provider must be configured for the tenant; on the
 * operator's keys the model must be priced, as for reports, so a budget can see what it spends.
 */
export function resolveAgentModel(
  config: AiConfig,
  tenantSettings: TenantAiSettings,
  route: AgentSpec["modelRoute"],
): AgentModelChoice {
  const disabled = new Set(tenantSettings.disabledProviders ?? []);
  const chain = (tenantSettings.routes?.writeSection ?? config.routes.writeSection ?? []).filter(
    (step) => !disabled.has(step.provider),
  );
  let provider: string;
  let model: string | undefined = route.model;
  if (route.provider === "tenant") {
    const first = chain.find((step) => config.providers[step.provider]?.kind !== "offline");
    if (!first) return { kind: "offline" };
    provider = first.provider;
    model ??= first.model;
  } else {
    provider = route.provider;
    if (route.provider === "offline") return { kind: "offline" };
    if (!config.providers[provider] || disabled.has(provider))
      throw new Error(
        `the agent's model route names provider "${provider}", which is not configured for this tenant`,
      );
    model ??= chain.find((step) => step.provider === provider)?.model;
    if (!model)
      throw new Error(
        `the agent's model route names provider "${provider}" but no model; set modelRoute.model`,
      );
  }
  const providerConfig = config.providers[provider]!;
  if (
    (providerConfig.kind === "openai" || providerConfig.kind === "anthropic") &&
    providerConfig.operatorBilled !== false &&
    !config.prices[model]
  )
    throw new Error(`model "${model}" has no known price, so the operator's key is not spent on it`);
  return { kind: "model", provider, model, config: providerConfig };
}

/** USD of one call; an unpriced model (a tenant's own key, a local server) costs 0. */
export function agentCallCost(
  prices: Record<string, ModelPrice>,
  model: string,
  inputTokens: number,
  outputTokens: number,
): number {
  const price = prices[model];
  if (!price) return 0;
  return (inputTokens * price.inputPerMTokUsd + outputTokens * price.outputPerMTokUsd) / 1_000_000;
}

/** A stable name of a price table (same prices, same name), recorded with each run's cost. */
export function priceTableVersion(prices: Record<string, ModelPrice>): string {
  return `prices-${createHash("sha256").update(stableJson(prices)).digest("hex").slice(0, 12)}`;
}
