import { env } from "./env";

export type ProviderName = "openai" | "anthropic" | "local" | "offline";

/** Providers usable with the current configuration, in preference order; the offline analyst is always last. */
export function configuredProviders(): ProviderName[] {
  const providers: ProviderName[] = [];
  if (env.OPENAI_API_KEY) providers.push("openai");
  if (env.ANTHROPIC_API_KEY) providers.push("anthropic");
  if (env.TECHSCANIQ_LOCAL_LLM_URL) providers.push("local");
  providers.push("offline");
  return providers;
}
