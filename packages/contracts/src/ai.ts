import { z } from "zod";

/** What the product asks of a model. Routes are chosen per task, never per vendor. */
export const TASKS = ["writeSection", "verifyClaim", "rewriteClaim", "summarise", "scoreThesis"] as const;
export const TaskName = z.enum(TASKS);
export type TaskName = z.infer<typeof TaskName>;

/** Providers a tenant can choose between: its own keys go to the first three; `local` is any OpenAI-compatible server. */
export const TENANT_PROVIDERS = ["openai", "anthropic", "local", "offline"] as const;
export const TenantProvider = z.enum(TENANT_PROVIDERS);
export type TenantProvider = z.infer<typeof TenantProvider>;

/** Providers that take a model, a base URL and a key. */
export const KEYED_PROVIDERS = ["openai", "anthropic", "local"] as const;
export type KeyedProvider = (typeof KEYED_PROVIDERS)[number];

/** What a tenant's sealed provider key is bound to (the secret box's context): copied to another tenant or provider, it does not open. */
export const tenantKeyContext = (tenantId: string, provider: KeyedProvider) => `tenant:${tenantId}:ai:${provider}`;
