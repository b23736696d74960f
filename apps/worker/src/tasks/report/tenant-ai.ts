import type { AiConfig, TenantAiSettings } from "@techscaniq/ai";
import { KEYED_PROVIDERS, tenantAiConfig, tenantKeyContext, type KeyedProvider, type TenantAiProfile, type TenantProvider } from "@techscaniq/ai/tenant";
import type { Db } from "@techscaniq/db";
import { tenantKeyVariable } from "@techscaniq/db/env";
import type { SecretBox } from "@techscaniq/db/secrets";

/** The router config and tenant settings one tenant's report runs with. */
export type TenantAiLoader = (tenantId: string) => Promise<{ config: AiConfig; tenantSettings: TenantAiSettings }>;

/**
 * Reads a tenant's AI settings as the service role and opens its keys. A key
 * the tenant set up but that cannot be used (sealed under another secrets
 * key, or a referenced variable the operator removed) fails the report with
 * the reason rather than quietly sending the tenant's data elsewhere.
 */
export function tenantAiLoader(options: { db: Db; base: AiConfig; secretBox: () => Promise<SecretBox>; defaultModels: Record<KeyedProvider, string> }): TenantAiLoader {
  return async (tenantId) => {
    const row = await options.db.kysely.selectFrom("tenant_ai_settings").selectAll().where("tenant_id", "=", tenantId).executeTakeFirst();
    if (!row) return { config: options.base, tenantSettings: {} };
    const providers: TenantAiProfile["providers"] = {};
    for (const id of KEYED_PROVIDERS) {
      const sealed = row[`${id}_key_ciphertext`];
      const variable = row[`${id}_key_env`];
      let apiKey: string | null = null;
      if (sealed) {
        try {
          apiKey = (await options.secretBox()).open(sealed, tenantKeyContext(tenantId, id));
        } catch (error) {
          throw new Error(`tenant AI settings: the stored ${id} key cannot be opened (${(error as Error).message}); set the key again in Settings → AI providers`, { cause: error });
        }
      } else if (variable) {
        apiKey = tenantKeyVariable(variable) ?? null;
        if (!apiKey) throw new Error(`tenant AI settings: the ${id} key refers to ${variable}, which is not set on this worker`);
      }
      providers[id] = { model: row[`${id}_model`], baseUrl: row[`${id}_base_url`], apiKey };
    }
    return tenantAiConfig(
      options.base,
      {
        taskProviders: row.task_providers as TenantAiProfile["taskProviders"],
        disabledProviders: row.disabled_providers as TenantProvider[],
        reportTokenBudget: row.report_token_budget,
        providers,
      },
      options.defaultModels,
    );
  };
}
