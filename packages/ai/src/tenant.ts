import { KEYED_PROVIDERS, TenantProvider, type KeyedProvider } from "@techscaniq/contracts/ai";
import {
  AiConfig,
  operatorModelRefusal,
  TASKS,
  TenantAiSettings,
  type OperatorAiPolicy,
  type ProviderConfig,
  type RouteStep,
  type TaskName,
} from "./config";

export {
  KEYED_PROVIDERS,
  operatorKeyContext,
  TENANT_PROVIDERS,
  TenantProvider,
  tenantKeyContext,
  type KeyedProvider,
} from "@techscaniq/contracts/ai";

/** A key the operator assigned to the tenant, opened, with the only base URL it may go to (null: the official API). */
export interface OperatorKeyAccess {
  apiKey: string;
  baseUrl: string | null;
}

/** One provider as a tenant set it up, with its own key already decrypted. */
export interface TenantProviderAccess {
  model?: string | null;
  baseUrl?: string | null;
  apiKey?: string | null;
  operatorKey?: OperatorKeyAccess | null;
}

/** A tenant's stored AI settings in plain form (what `tenant_ai_settings` holds, keys opened). */
export interface TenantAiProfile {
  /** Per task, the providers to try in order; a task missing here uses the deployment's chain. */
  taskProviders: Partial<Record<TaskName, TenantProvider[]>>;
  disabledProviders: TenantProvider[];
  reportTokenBudget: number | null;
  providers: Partial<Record<KeyedProvider, TenantProviderAccess>>;
}

/**
 * The router's config and tenant settings for one tenant. A tenant's own
 * endpoint only ever receives the tenant's own key: a base URL without a
 * tenant key is ignored for OpenAI and Anthropic, and a key the operator
 * assigned goes only to the base URL the operator gave with it, so a tenant
 * cannot point the operator's keys at a server it controls. On the
 * operator's keys and servers a tenant may only pick allowlisted, priced
 * models, and its token budget never exceeds the operator's cap. Providers
 * the tenant brings (or was assigned) come first in the chains of tasks it
 * did not route itself.
 */
export function tenantAiConfig(
  base: AiConfig,
  profile: TenantAiProfile,
  defaultModels: Record<KeyedProvider, string>,
  policy: OperatorAiPolicy,
): { config: AiConfig; tenantSettings: TenantAiSettings } {
  const providers: Record<string, ProviderConfig> = { ...base.providers };
  const owned: KeyedProvider[] = [];
  const ownKey = new Set<KeyedProvider>();
  for (const id of KEYED_PROVIDERS) {
    const access = profile.providers[id];
    const apiKey = access?.apiKey ?? undefined;
    const tenantBaseUrl = access?.baseUrl ?? undefined;
    if (apiKey || (id === "local" && tenantBaseUrl && !access?.operatorKey)) {
      const tenantUrl = tenantBaseUrl ? { tenantUrl: true as const } : {};
      providers[id] =
        id === "local"
          ? { kind: "openai-compatible", baseURL: tenantBaseUrl!, apiKey, ...tenantUrl }
          : { kind: id, apiKey: apiKey!, baseURL: tenantBaseUrl, operatorBilled: false, ...tenantUrl };
      ownKey.add(id);
      owned.push(id);
    } else if (access?.operatorKey) {
      const { apiKey: key, baseUrl } = access.operatorKey;
      providers[id] =
        id === "local"
          ? { kind: "openai-compatible", baseURL: baseUrl!, apiKey: key }
          : { kind: id, apiKey: key, baseURL: baseUrl ?? undefined };
      owned.push(id);
    }
  }

  const baseModel = (id: string) =>
    Object.values(base.routes)
      .flat()
      .find((step) => step?.provider === id)?.model;
  const modelFor = (id: TenantProvider) => {
    if (id === "offline") return baseModel("offline") ?? "rules";
    const chosen = profile.providers[id]?.model;
    if (!chosen) return baseModel(id) ?? defaultModels[id];
    const refusal = ownKey.has(id) ? null : operatorModelRefusal(id, chosen, policy);
    if (refusal) throw new Error(`tenant AI settings: ${refusal}`);
    return chosen;
  };
  const routes: Partial<Record<TaskName, RouteStep[]>> = {};
  for (const task of TASKS) {
    const chosen: string[] = profile.taskProviders[task] ?? [
      ...owned,
      ...(base.routes[task] ?? []).map((step) => step.provider),
    ];
    const chain = [...new Set(chosen)]
      .filter((id) => providers[id])
      .map((id) => {
        const tenantProvider = TenantProvider.safeParse(id);
        // Any other id came from this task's deployment chain, which names its model.
        const model = tenantProvider.success
          ? modelFor(tenantProvider.data)
          : base.routes[task]!.find((step) => step.provider === id)!.model;
        return { provider: id, model };
      });
    if (chain.length > 0) routes[task] = chain;
  }

  return {
    // The prices that judged a model priced are the ones it is metered with.
    config: AiConfig.parse({ ...base, providers, prices: { ...base.prices, ...policy.prices } }),
    tenantSettings: TenantAiSettings.parse({
      routes,
      disabledProviders: profile.disabledProviders,
      ...(profile.reportTokenBudget
        ? { reportTokenBudget: Math.min(profile.reportTokenBudget, policy.maxReportTokenBudget) }
        : {}),
    }),
  };
}
