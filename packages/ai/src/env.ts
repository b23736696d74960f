import { OperatorAiPolicyEnv } from "@techscaniq/contracts/ai";
import { defineEnv, type EnvSource } from "@techscaniq/contracts/env";
import { z } from "zod";

/**
 * AI provider settings. With none of the keys set, reports are written by the
 * offline analyst, so the product is whole without any account. Models,
 * budgets, the allowlist and prices are the operator policy's (contracts).
 */
export const aiEnvSchema = OperatorAiPolicyEnv.extend({
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.string().url().optional(),
  /** An OpenAI-compatible local server (vLLM, Ollama, LM Studio). */
  TECHSCANIQ_LOCAL_LLM_URL: z.string().url().optional(),
});

export type AiEnv = z.infer<typeof aiEnvSchema>;

const aiEnv = defineEnv("AI", aiEnvSchema);

/** Validates the AI settings; the worker parses them once at start and passes them to `defaultAiConfig`. */
export function loadAiEnv(source: EnvSource = process.env): AiEnv {
  return aiEnv.load(source);
}
