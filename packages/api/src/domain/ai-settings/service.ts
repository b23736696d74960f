import { hostRefusalWithoutDns, type AllowPrivate } from "@techscaniq/contracts/address";
import { KEYED_PROVIDERS, TASKS, tenantKeyContext, type KeyedProvider, type TaskName, type TenantProvider } from "@techscaniq/contracts/ai";
import { emitEvent, sql, type Database, type Transaction, type Updateable } from "@techscaniq/db";
import type { TenantAiSettings as TenantAiSettingsTable } from "@techscaniq/db/schema";
import { loadSecretBox, type SecretBox } from "@techscaniq/db/secrets";
import { loadApiEnv } from "../../env";
import { DomainError } from "../../errors";
import type { ActiveTenant } from "../../trpc";
import { hasRole } from "../roles";
import type { AiSettingsView, UpdateAiSettingsInput } from "./input";

let box: Promise<SecretBox> | undefined;
/** The deployment's secret box, loaded once per process (TECHSCANIQ_SECRETS_KEY or the generated data-dir key). */
export function tenantSecretBox(): Promise<SecretBox> {
  box ??= loadSecretBox().catch((error: unknown) => {
    box = undefined;
    throw error;
  });
  return box;
}

type RedactedRow = {
  tenant_id: string;
  task_providers: Partial<Record<TaskName, TenantProvider[]>>;
  disabled_providers: TenantProvider[];
  report_token_budget: number | null;
  updated_by: string | null;
  updated_at: Date;
} & { [column in `${KeyedProvider}_${"model" | "base_url" | "key_last4" | "key_env"}`]: string | null } & { [column in `${KeyedProvider}_key_set`]: boolean };

/** The settings as any member may see them: whether a key is set and its last 4 characters, nothing more. */
export async function getAiSettings(tx: Transaction<Database>, tenant: ActiveTenant): Promise<AiSettingsView> {
  const { rows } = await sql<RedactedRow>`select * from public.tenant_ai_settings_redacted(${tenant.id}::uuid)`.execute(tx);
  const row = rows[0];
  const provider = (id: KeyedProvider) => {
    const set = row?.[`${id}_key_set`] ?? false;
    const envVar = row?.[`${id}_key_env`] ?? null;
    return {
      model: row?.[`${id}_model`] ?? null,
      baseUrl: row?.[`${id}_base_url`] ?? null,
      key: { source: set ? ("stored" as const) : envVar ? ("env" as const) : ("none" as const), last4: set ? (row?.[`${id}_key_last4`] ?? null) : null, envVar },
    };
  };
  const taskProviders = Object.fromEntries(TASKS.filter((task) => row?.task_providers[task]).map((task) => [task, row!.task_providers[task]!]));
  return {
    customised: row !== undefined,
    taskProviders,
    disabledProviders: row?.disabled_providers ?? [],
    reportTokenBudget: row?.report_token_budget ?? null,
    providers: { openai: provider("openai"), anthropic: provider("anthropic"), local: provider("local") },
    updatedBy: row?.updated_by ?? null,
    updatedAt: row?.updated_at.toISOString() ?? null,
    canEdit: hasRole(tenant.role, "admin"),
  };
}

/**
 * A provider base URL may only reach what a scan may reach. Requests never
 * resolve DNS: here only IP literals and localhost names are refused; the
 * worker checks the addresses the host resolves to when it calls the model.
 */
export function baseUrlRefusal(baseUrl: string, allowPrivate: AllowPrivate): string | null {
  const refusal = hostRefusalWithoutDns(new URL(baseUrl).hostname, allowPrivate);
  return refusal && `${refusal} (set TECHSCANIQ_ALLOW_PRIVATE=1 to allow private model servers)`;
}

export interface UpdateDeps {
  box: SecretBox;
  allowPrivate: AllowPrivate;
}

export async function aiSettingsDeps(): Promise<UpdateDeps> {
  return { box: await tenantSecretBox(), allowPrivate: loadApiEnv().TECHSCANIQ_ALLOW_PRIVATE === "1" };
}

type Changes = Updateable<TenantAiSettingsTable>;
type KeyChange = "stored" | "env" | "cleared";

/** Creates the tenant's row if missing (as the caller, so RLS decides), then applies the changes. */
async function writeSettings(tx: Transaction<Database>, tenantId: string, actorUserId: string | null, changes: Changes): Promise<void> {
  await tx.insertInto("tenant_ai_settings").values({ tenant_id: tenantId, updated_by: actorUserId }).onConflict((conflict) => conflict.column("tenant_id").doNothing()).execute();
  const updated = await tx
    .updateTable("tenant_ai_settings")
    .set({ ...changes, updated_by: actorUserId })
    .where("tenant_id", "=", tenantId)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw new DomainError("FORBIDDEN", "Only owners and admins can change the AI settings");
}

/** Applies a partial update (absent fields stay as they are); keys are sealed before they reach the database. */
export async function updateAiSettings(
  tx: Transaction<Database>,
  tenant: ActiveTenant,
  actorUserId: string | null,
  input: UpdateAiSettingsInput,
  deps: UpdateDeps,
): Promise<AiSettingsView> {
  const fieldErrors: Record<string, string[]> = {};
  for (const id of KEYED_PROVIDERS) {
    const baseUrl = input.providers?.[id]?.baseUrl;
    if (!baseUrl) continue;
    const refusal = baseUrlRefusal(baseUrl, deps.allowPrivate);
    if (refusal) fieldErrors[`providers.${id}.baseUrl`] = [refusal];
  }
  if (Object.keys(fieldErrors).length > 0) {
    throw new DomainError("BAD_REQUEST", Object.entries(fieldErrors).map(([field, [message]]) => `${field}: ${message}`).join("; "), fieldErrors);
  }

  const changes: Changes = {};
  const changed: string[] = [];
  const keys: Partial<Record<KeyedProvider, KeyChange>> = {};
  if (input.taskProviders) {
    const current = await tx.selectFrom("tenant_ai_settings").select("task_providers").where("tenant_id", "=", tenant.id).executeTakeFirst();
    const merged: Record<string, unknown> = { ...(current?.task_providers as Record<string, unknown> | undefined) };
    for (const [task, chain] of Object.entries(input.taskProviders)) {
      if (chain) merged[task] = chain;
      else delete merged[task];
    }
    changes.task_providers = JSON.stringify(merged);
    changed.push("taskProviders");
  }
  if (input.disabledProviders) {
    changes.disabled_providers = input.disabledProviders;
    changed.push("disabledProviders");
  }
  if (input.reportTokenBudget !== undefined) {
    changes.report_token_budget = input.reportTokenBudget;
    changed.push("reportTokenBudget");
  }
  for (const id of KEYED_PROVIDERS) {
    const settings = input.providers?.[id];
    if (!settings) continue;
    if (settings.model !== undefined) {
      changes[`${id}_model`] = settings.model;
      changed.push(`providers.${id}.model`);
    }
    if (settings.baseUrl !== undefined) {
      changes[`${id}_base_url`] = settings.baseUrl;
      changed.push(`providers.${id}.baseUrl`);
    }
    if (settings.apiKey !== undefined) {
      changes[`${id}_key_ciphertext`] = deps.box.seal(settings.apiKey, tenantKeyContext(tenant.id, id));
      changes[`${id}_key_last4`] = settings.apiKey.slice(-4);
      changes[`${id}_key_env`] = null;
      keys[id] = "stored";
    } else if (settings.apiKeyEnv !== undefined) {
      changes[`${id}_key_env`] = settings.apiKeyEnv;
      if (settings.apiKeyEnv) {
        changes[`${id}_key_ciphertext`] = null;
        changes[`${id}_key_last4`] = null;
      }
      keys[id] = settings.apiKeyEnv ? "env" : "cleared";
    }
  }
  if (changed.length === 0 && Object.keys(keys).length === 0) {
    throw new DomainError("BAD_REQUEST", "input: nothing to change (give at least one setting)", { input: ["nothing to change"] });
  }

  await writeSettings(tx, tenant.id, actorUserId, changes);
  await emitEvent(tx, { type: "ai_settings.updated", tenantId: tenant.id, userId: actorUserId, subject: tenant.id, data: { changed, keys } });
  return getAiSettings(tx, tenant);
}

/** Forgets a provider's stored key and variable reference; the deployment's key (if any) applies again. */
export async function clearAiKey(tx: Transaction<Database>, tenant: ActiveTenant, actorUserId: string | null, provider: KeyedProvider): Promise<AiSettingsView> {
  await writeSettings(tx, tenant.id, actorUserId, { [`${provider}_key_ciphertext`]: null, [`${provider}_key_last4`]: null, [`${provider}_key_env`]: null });
  await emitEvent(tx, { type: "ai_settings.key_cleared", tenantId: tenant.id, userId: actorUserId, subject: tenant.id, data: { provider } });
  return getAiSettings(tx, tenant);
}
