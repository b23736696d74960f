import { hostRefusalWithoutDns, type AllowPrivate } from "@techscaniq/contracts/address";
import {
  KEYED_PROVIDERS,
  operatorAiPolicy,
  operatorKeyContext,
  operatorModelRefusal,
  TASKS,
  tenantKeyContext,
  type KeyedProvider,
  type OperatorAiPolicy,
  type TaskName,
  type TenantProvider,
} from "@techscaniq/contracts/ai";
import {
  emitEvent,
  sql,
  withServiceTx,
  type Database,
  type Db,
  type Transaction,
  type Updateable,
} from "@techscaniq/db";
import type { TenantAiSettings as TenantAiSettingsTable } from "@techscaniq/db/schema";
import type { SecretBox } from "@techscaniq/db/secrets";
import type { ApiEnv } from "../../env";
import { DomainError } from "../../errors";
import type { ActiveTenant } from "../../trpc";
import { hasRole } from "../roles";
import { writeAuditEntry } from "../audit";
import {
  assignOperatorAiKeyInput,
  type AiSettingsView,
  type AssignOperatorAiKeyInput,
  type UpdateAiSettingsInput,
} from "./ai-settings.schemas";

type RedactedRow = {
  tenant_id: string;
  task_providers: Partial<Record<TaskName, TenantProvider[]>>;
  disabled_providers: TenantProvider[];
  report_token_budget: number | null;
  updated_by: string | null;
  updated_at: Date;
} & { [column in `${KeyedProvider}_${"model" | "base_url" | "key_last4"}`]: string | null } & {
  [column in `${KeyedProvider}_key_set`]: boolean;
};

/** The settings as any member may see them: whether a key is set and its last 4 characters, nothing more. */
export async function getAiSettings(
  tx: Transaction<Database>,
  tenant: ActiveTenant,
): Promise<AiSettingsView> {
  const { rows } =
    await sql<RedactedRow>`select * from public.tenant_ai_settings_redacted(${tenant.id}::uuid)`.execute(tx);
  const row = rows[0];
  const assigned = await tx
    .selectFrom("tenant_ai_operator_keys")
    .select(["provider", "key_last4"])
    .where("tenant_id", "=", tenant.id)
    .execute();
  const provider = (id: KeyedProvider) => {
    const operatorLast4 = assigned.find((key) => key.provider === id)?.key_last4;
    const key = row?.[`${id}_key_set`]
      ? { source: "stored" as const, last4: row[`${id}_key_last4`] }
      : operatorLast4
        ? { source: "operator" as const, last4: operatorLast4 }
        : { source: "none" as const, last4: null };
    return { model: row?.[`${id}_model`] ?? null, baseUrl: row?.[`${id}_base_url`] ?? null, key };
  };
  const taskProviders = Object.fromEntries(
    TASKS.filter((task) => row?.task_providers[task]).map((task) => [task, row!.task_providers[task]!]),
  );
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
  /** What tenants may spend on the operator's keys. */
  policy: OperatorAiPolicy;
}

export async function aiSettingsDeps({
  env,
  secretBox,
}: {
  env: ApiEnv;
  secretBox(): Promise<SecretBox>;
}): Promise<UpdateDeps> {
  return {
    box: await secretBox(),
    allowPrivate: env.TECHSCANIQ_ALLOW_PRIVATE === "1",
    policy: operatorAiPolicy(env),
  };
}

/** Base URLs are not writable by `authenticated` (so not over PostgREST); the checked value goes through this. */
type Changes = Omit<Updateable<TenantAiSettingsTable>, `${KeyedProvider}_base_url`>;

/**
 * Models the tenant picks for a provider it does not bring its own key (or,
 * for `local`, its own server) for run on the operator's account: only
 * allowlisted, priced ones. Returns field errors.
 */
async function modelRefusals(
  tx: Transaction<Database>,
  tenant: ActiveTenant,
  input: UpdateAiSettingsInput,
  policy: OperatorAiPolicy,
) {
  const fieldErrors: Record<string, string[]> = {};
  const current = await tx
    .selectFrom("tenant_ai_settings")
    .select(["openai_key_last4", "anthropic_key_last4", "local_base_url"])
    .where("tenant_id", "=", tenant.id)
    .executeTakeFirst();
  for (const id of KEYED_PROVIDERS) {
    const settings = input.providers?.[id];
    if (!settings?.model) continue;
    const ownKey = settings.apiKey !== undefined || (id !== "local" && Boolean(current?.[`${id}_key_last4`]));
    const ownServer = id === "local" && Boolean(settings.baseUrl ?? current?.local_base_url);
    const refusal = ownKey || ownServer ? null : operatorModelRefusal(id, settings.model, policy);
    if (refusal) fieldErrors[`providers.${id}.model`] = [refusal];
  }
  if (input.reportTokenBudget && input.reportTokenBudget > policy.maxReportTokenBudget)
    fieldErrors.reportTokenBudget = [
      `must be at most ${policy.maxReportTokenBudget} tokens (the operator's cap)`,
    ];
  return fieldErrors;
}

/** Creates the tenant's row if missing (as the caller, so RLS decides), then applies the changes. */
async function writeSettings(
  tx: Transaction<Database>,
  tenantId: string,
  actorUserId: string | null,
  changes: Changes,
): Promise<void> {
  await tx
    .insertInto("tenant_ai_settings")
    .values({ tenant_id: tenantId, updated_by: actorUserId })
    .onConflict((conflict) => conflict.column("tenant_id").doNothing())
    .execute();
  const updated = await tx
    .updateTable("tenant_ai_settings")
    .set({ ...changes, updated_by: actorUserId })
    .where("tenant_id", "=", tenantId)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1)
    throw new DomainError("FORBIDDEN", "Only owners and admins can change the AI settings");
}

/** Applies a partial update (absent fields stay as they are); keys are sealed before they reach the database. */
export async function updateAiSettings(
  tx: Transaction<Database>,
  tenant: ActiveTenant,
  actorUserId: string | null,
  input: UpdateAiSettingsInput,
  deps: UpdateDeps,
): Promise<AiSettingsView> {
  const fieldErrors = await modelRefusals(tx, tenant, input, deps.policy);
  for (const id of KEYED_PROVIDERS) {
    const baseUrl = input.providers?.[id]?.baseUrl;
    if (!baseUrl) continue;
    const refusal = baseUrlRefusal(baseUrl, deps.allowPrivate);
    if (refusal) fieldErrors[`providers.${id}.baseUrl`] = [refusal];
  }
  if (Object.keys(fieldErrors).length > 0) {
    throw new DomainError(
      "BAD_REQUEST",
      Object.entries(fieldErrors)
        .map(([field, [message]]) => `${field}: ${message}`)
        .join("; "),
      fieldErrors,
    );
  }

  const changes: Changes = {};
  const changed: string[] = [];
  const baseUrls: Partial<Record<KeyedProvider, string | null>> = {};
  const keys: Partial<Record<KeyedProvider, "stored">> = {};
  if (input.taskProviders) {
    const current = await tx
      .selectFrom("tenant_ai_settings")
      .select("task_providers")
      .where("tenant_id", "=", tenant.id)
      .executeTakeFirst();
    const merged: Record<string, unknown> = {
      ...(current?.task_providers as Record<string, unknown> | undefined),
    };
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
      baseUrls[id] = settings.baseUrl;
      changed.push(`providers.${id}.baseUrl`);
    }
    if (settings.apiKey !== undefined) {
      changes[`${id}_key_ciphertext`] = deps.box.seal(settings.apiKey, tenantKeyContext(tenant.id, id));
      changes[`${id}_key_last4`] = settings.apiKey.slice(-4);
      keys[id] = "stored";
    }
  }
  if (changed.length === 0 && Object.keys(keys).length === 0) {
    throw new DomainError("BAD_REQUEST", "input: nothing to change (give at least one setting)", {
      input: ["nothing to change"],
    });
  }

  await writeSettings(tx, tenant.id, actorUserId, changes);
  for (const [id, baseUrl] of Object.entries(baseUrls))
    await sql`select private.set_tenant_ai_base_url(${tenant.id}::uuid, ${id}, ${baseUrl})`.execute(tx);
  await emitEvent(tx, {
    type: "ai_settings.updated",
    tenantId: tenant.id,
    userId: actorUserId,
    subject: tenant.id,
    data: { changed, keys },
  });
  return getAiSettings(tx, tenant);
}

/** Forgets a provider's stored key; a key the operator assigned, else the deployment's key (if any), applies again. */
export async function clearAiKey(
  tx: Transaction<Database>,
  tenant: ActiveTenant,
  actorUserId: string | null,
  provider: KeyedProvider,
): Promise<AiSettingsView> {
  await writeSettings(tx, tenant.id, actorUserId, {
    [`${provider}_key_ciphertext`]: null,
    [`${provider}_key_last4`]: null,
  });
  await emitEvent(tx, {
    type: "ai_settings.key_cleared",
    tenantId: tenant.id,
    userId: actorUserId,
    subject: tenant.id,
    data: { provider },
  });
  return getAiSettings(tx, tenant);
}

export interface AssignedOperatorKey {
  tenantId: string;
  provider: KeyedProvider;
  last4: string;
  baseUrl: string | null;
}

/**
 * For operators (`./techscaniq admin set-ai-key`): assigns a key to one
 * tenant as the service role, sealed to that tenant, provider and the
 * operator assignment, with the only base URL it will be sent to. Tenants
 * cannot name or read it; audited with no acting user.
 */
export async function assignOperatorAiKey(
  db: Db,
  raw: AssignOperatorAiKeyInput,
  box: SecretBox,
): Promise<AssignedOperatorKey> {
  const parsed = assignOperatorAiKeyInput.safeParse(raw);
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
      .join("; ");
    throw new DomainError("BAD_REQUEST", message);
  }
  const input = parsed.data;
  return withServiceTx(db, async (tx) => {
    const tenant = await tx
      .selectFrom("tenants")
      .select("id")
      .where("slug", "=", input.tenantSlug)
      .executeTakeFirst();
    if (!tenant)
      throw new DomainError("NOT_FOUND", `tenant: no tenant has the slug "${input.tenantSlug}"`, {
        tenant: ["not found"],
      });
    const assigned = {
      tenant_id: tenant.id,
      provider: input.provider,
      key_ciphertext: box.seal(input.apiKey, operatorKeyContext(tenant.id, input.provider)),
      key_last4: input.apiKey.slice(-4),
      base_url: input.baseUrl,
      assigned_at: new Date(),
    };
    await tx
      .insertInto("tenant_ai_operator_keys")
      .values(assigned)
      .onConflict((conflict) => conflict.columns(["tenant_id", "provider"]).doUpdateSet(assigned))
      .execute();
    const details = { via: "cli", provider: input.provider, baseUrl: input.baseUrl };
    await writeAuditEntry(tx, {
      tenantId: tenant.id,
      action: "aiSettings.assignOperatorKey",
      target: `tenant_ai_operator_keys:${tenant.id}:${input.provider}`,
      details,
      requestId: null,
    });
    await emitEvent(tx, {
      type: "ai_settings.operator_key_assigned",
      tenantId: tenant.id,
      userId: null,
      subject: tenant.id,
      data: details,
    });
    return {
      tenantId: tenant.id,
      provider: input.provider,
      last4: assigned.key_last4,
      baseUrl: input.baseUrl,
    };
  });
}
