import { KEYED_PROVIDERS, TenantProvider, type KeyedProvider } from "@techscaniq/contracts/ai";
import { AiConfig, TASKS, TenantAiSettings, type ProviderConfig, type RouteStep, type TaskName } from "./config";

export { KEYED_PROVIDERS, TENANT_PROVIDERS, TenantProvider, tenantKeyContext, type KeyedProvider } from "@techscaniq/contracts/ai";

/** One provider as a tenant set it up, with its key already decrypted (or read from the referenced variable). */
export interface TenantProviderAccess {
  model?: string | null;
  baseUrl?: string | null;
  apiKey?: string | null;
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
 * tenant key is ignored for OpenAI and Anthropic, so a tenant cannot point
 * the deployment's key at a server it controls. Providers the tenant brings
 * come first in the chains of tasks it did not route itself.
 */
export function tenantAiConfig(
  base: AiConfig,
  profile: TenantAiProfile,
  defaultModels: Record<KeyedProvider, string>,
): { config: AiConfig; tenantSettings: TenantAiSettings } {
  const providers: Record<string, ProviderConfig> = { ...base.providers };
  const owned: KeyedProvider[] = [];
  for (const id of KEYED_PROVIDERS) {
    const access = profile.providers[id];
    const apiKey = access?.apiKey ?? undefined;
    if (id === "local" ? access?.baseUrl : apiKey) {
      const baseURL = access?.baseUrl ?? undefined;
      providers[id] = id === "local" ? { kind: "openai-compatible", baseURL: baseURL!, apiKey } : { kind: id, apiKey: apiKey!, baseURL };
      owned.push(id);
    }
  }

  const baseModel = (id: string) => Object.values(base.routes).flat().find((step) => step?.provider === id)?.model;
  const modelFor = (id: TenantProvider) =>
    id === "offline" ? (baseModel("offline") ?? "rules") : (profile.providers[id]?.model ?? baseModel(id) ?? defaultModels[id]);

  const routes: Partial<Record<TaskName, RouteStep[]>> = {};
  for (const task of TASKS) {
    const chosen: string[] = profile.taskProviders[task] ?? [...owned, ...(base.routes[task] ?? []).map((step) => step.provider)];
    const chain = [...new Set(chosen)]
      .filter((id) => providers[id])
      .map((id) => {
        const tenantProvider = TenantProvider.safeParse(id);
        // Any other id came from this task's deployment chain, which names its model.
        const model = tenantProvider.success ? modelFor(tenantProvider.data) : base.routes[task]!.find((step) => step.provider === id)!.model;
        return { provider: id, model };
      });
    if (chain.length > 0) routes[task] = chain;
  }

  return {
    config: AiConfig.parse({ ...base, providers }),
    tenantSettings: TenantAiSettings.parse({
      routes,
      disabledProviders: profile.disabledProviders,
      ...(profile.reportTokenBudget ? { reportTokenBudget: profile.reportTokenBudget } : {}),
    }),
  };
}
