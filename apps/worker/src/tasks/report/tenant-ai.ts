import type { AiConfig, OperatorAiPolicy, TenantAiSettings } from "@techscaniq/ai";
import {
  KEYED_PROVIDERS,
  operatorKeyContext,
  tenantAiConfig,
  tenantKeyContext,
  type KeyedProvider,
  type TenantAiProfile,
  type TenantProvider,
} from "@techscaniq/ai/tenant";
import type { Db } from "@techscaniq/db";
import type { SecretBox } from "@techscaniq/db/secrets";

/** The router config and tenant settings one tenant's report runs with. */
export type TenantAiLoader = (
  tenantId: string,
) => Promise<{ config: AiConfig; tenantSettings: TenantAiSettings }>;

export interface TenantAiLoaderOptions {
  db: Db;
  base: AiConfig;
  secretBox: () => Promise<SecretBox>;
  defaultModels: Record<KeyedProvider, string>;
  /** What tenants may spend on the operator's keys (operatorAiPolicy). */
  policy: OperatorAiPolicy;
}

async function openKey(
  options: TenantAiLoaderOptions,
  sealed: string,
  context: string,
  what: string,
  remedy: string,
): Promise<string> {
  try {
    return (await options.secretBox()).open(sealed, context);
  } catch (error) {
    throw new Error(`tenant AI settings: ${what} cannot be opened (${(error as Error).message}); ${remedy}`, {
      cause: error,
    });
  }
}

/**
 * Reads a tenant's AI settings and the keys the operator assigned to it as
 * the service role, and opens the keys. A key that cannot be opened (sealed
 * under another secrets key, or for another tenant) fails the report with
 * the reason rather than quietly sending the tenant's data elsewhere.
 */
export function tenantAiLoader(options: TenantAiLoaderOptions): TenantAiLoader {
  return async (tenantId) => {
    const row = await options.db.kysely
      .selectFrom("tenant_ai_settings")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .executeTakeFirst();
    const assigned = await options.db.kysely
      .selectFrom("tenant_ai_operator_keys")
      .selectAll()
      .where("tenant_id", "=", tenantId)
      .execute();
    if (!row && assigned.length === 0) return { config: options.base, tenantSettings: {} };
    const providers: TenantAiProfile["providers"] = {};
    for (const id of KEYED_PROVIDERS) {
      const sealed = row?.[`${id}_key_ciphertext`];
      const apiKey = sealed
        ? await openKey(
            options,
            sealed,
            tenantKeyContext(tenantId, id),
            `the stored ${id} key`,
            "set the key again in Settings → AI providers",
          )
        : null;
      const operator = assigned.find((key) => key.provider === id);
      const operatorKey = operator
        ? {
            apiKey: await openKey(
              options,
              operator.key_ciphertext,
              operatorKeyContext(tenantId, id),
              `the ${id} key the operator assigned`,
              "assign it again",
            ),
            baseUrl: operator.base_url,
          }
        : null;
      providers[id] = {
        model: row?.[`${id}_model`] ?? null,
        baseUrl: row?.[`${id}_base_url`] ?? null,
        apiKey,
        operatorKey,
      };
    }
    return tenantAiConfig(
      options.base,
      {
        taskProviders: (row?.task_providers ?? {}) as TenantAiProfile["taskProviders"],
        disabledProviders: (row?.disabled_providers ?? []) as TenantProvider[],
        reportTokenBudget: row?.report_token_budget ?? null,
        providers,
      },
      options.defaultModels,
      options.policy,
    );
  };
}
