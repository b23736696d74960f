import { KEYED_PROVIDERS, TaskName, TenantProvider } from "@techscaniq/contracts/ai";
import { z } from "zod";

export const keyedProviderSchema = z.enum(KEYED_PROVIDERS, {
  error: `must be one of ${KEYED_PROVIDERS.join(", ")}`,
});
const providerSchema = z.enum(TenantProvider.options, {
  error: `must be one of ${TenantProvider.options.join(", ")}`,
});

const modelSchema = z
  .string({ error: "must be a model name" })
  .trim()
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  .regex(/^[\w.:/@-]+$/, "must be a model name (letters, digits and . : / @ - _)");

/** Syntax only; whether the host may be reached is checked by baseUrlRefusal (no DNS) and at call time. */
export const baseUrlSchema = z
  .string({ error: "must be an http(s) URL" })
  .trim()
  .max(2048, "must be at most 2048 characters")
  .transform((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be an http(s) URL" });
      return z.NEVER;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: `must use http or https, not ${url.protocol.slice(0, -1)}` });
      return z.NEVER;
    }
    if (url.username || url.password) {
      ctx.addIssue({
        code: "custom",
        message: "must not contain a user name or password (set the key instead)",
      });
      return z.NEVER;
    }
    url.hash = "";
    return url.toString().replace(/\/+$/, "");
  });

export const apiKeySchema = z
  .string({ error: "must be the provider's API key" })
  .trim()
  .min(8, "must be at least 8 characters")
  .max(500, "must be at most 500 characters")
  .regex(/^\S+$/, "must not contain spaces");

const providerSettingsSchema = z.strictObject({
  /** null = the deployment's model. */
  model: modelSchema.nullable().optional(),
  baseUrl: baseUrlSchema.nullable().optional(),
  /** A new key to store (encrypted); never returned. Keys the operator provides are assigned by the operator, not named here. */
  apiKey: apiKeySchema.optional(),
});

export const MIN_REPORT_TOKEN_BUDGET = 1_000;
export const MAX_REPORT_TOKEN_BUDGET = 5_000_000;

export const updateAiSettingsInput = z
  .strictObject({
    /** Per task, the providers to try in order; null for a task = back to the deployment's route. */
    taskProviders: z
      .partialRecord(
        TaskName,
        z
          .array(providerSchema, { error: "must be a list of providers" })
          .min(1, "must list at least one provider")
          .max(TenantProvider.options.length, `must list at most ${TenantProvider.options.length} providers`)
          .refine((list) => new Set(list).size === list.length, "must not list a provider twice")
          .nullable(),
      )
      .optional(),
    disabledProviders: z
      .array(providerSchema, { error: "must be a list of providers" })
      .transform((list) => [...new Set(list)])
      .optional(),
    reportTokenBudget: z
      .number({ error: "must be a whole number of tokens" })
      .int("must be a whole number of tokens")
      .min(MIN_REPORT_TOKEN_BUDGET, `must be at least ${MIN_REPORT_TOKEN_BUDGET} tokens`)
      .max(MAX_REPORT_TOKEN_BUDGET, `must be at most ${MAX_REPORT_TOKEN_BUDGET} tokens`)
      .nullable()
      .optional(),
    providers: z
      .strictObject({
        openai: providerSettingsSchema.optional(),
        anthropic: providerSettingsSchema.optional(),
        local: providerSettingsSchema.optional(),
      })
      .optional(),
  })
  .superRefine((input, ctx) => {
    const disabled = new Set(input.disabledProviders ?? []);
    for (const [task, chain] of Object.entries(input.taskProviders ?? {})) {
      if (chain && chain.every((provider) => disabled.has(provider)))
        ctx.addIssue({
          code: "custom",
          path: ["taskProviders", task],
          message: "every provider listed for this task is disabled",
        });
    }
  });
export type UpdateAiSettingsInput = z.output<typeof updateAiSettingsInput>;

export const clearAiKeyInput = z.strictObject({ provider: keyedProviderSchema });

/** `./techscaniq admin set-ai-key`: the operator assigns a key, and the only base URL it goes to, to one tenant. */
export const assignOperatorAiKeyInput = z
  .strictObject({
    tenantSlug: z
      .string({ error: "tenant: give the tenant's slug" })
      .trim()
      .min(1, "tenant: give the tenant's slug"),
    provider: keyedProviderSchema,
    apiKey: apiKeySchema,
    /** null = the vendor's official API. */
    baseUrl: baseUrlSchema.nullable().default(null),
  })
  .superRefine((input, ctx) => {
    if (input.provider === "local" && !input.baseUrl)
      ctx.addIssue({
        code: "custom",
        path: ["baseUrl"],
        message: "an OpenAI-compatible server needs its base URL",
      });
  });
export type AssignOperatorAiKeyInput = z.input<typeof assignOperatorAiKeyInput>;

const keyViewSchema = z.strictObject({
  /**
   * stored: the tenant's own key (sent to the tenant's base URL); operator: a key the operator assigned
   * (sent only to the operator's base URL); none: the deployment's key, if any, is used.
   */
  source: z.enum(["stored", "operator", "none"]),
  /** Last 4 characters of the key in use, to tell keys apart; never more. */
  last4: z.string().max(4).nullable(),
});

const providerViewSchema = z.strictObject({
  model: z.string().nullable(),
  baseUrl: z.string().nullable(),
  key: keyViewSchema,
});

/** What every member may see: no key material, ever. */
export const aiSettingsViewSchema = z.strictObject({
  /** False when the tenant never changed anything (the deployment's defaults apply). */
  customised: z.boolean(),
  taskProviders: z.partialRecord(TaskName, z.array(providerSchema)),
  disabledProviders: z.array(providerSchema),
  reportTokenBudget: z.number().int().nullable(),
  providers: z.strictObject({
    openai: providerViewSchema,
    anthropic: providerViewSchema,
    local: providerViewSchema,
  }),
  updatedBy: z.uuid().nullable(),
  updatedAt: z.iso.datetime().nullable(),
  /** Whether the caller may change these settings (owner or admin). */
  canEdit: z.boolean(),
});
export type AiSettingsView = z.infer<typeof aiSettingsViewSchema>;
