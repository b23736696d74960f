import { z } from "zod";

/**
 * AI provider settings. With none of the keys set, reports are written by the
 * offline analyst, so the product is whole without any account.
 */
const Env = z.object({
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  TECHSCANIQ_OPENAI_MODEL: z.string().min(1).default("gpt-4o-mini"),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.string().url().optional(),
  TECHSCANIQ_ANTHROPIC_MODEL: z.string().min(1).default("claude-haiku-4-5"),
  /** An OpenAI-compatible local server (vLLM, Ollama, LM Studio). */
  TECHSCANIQ_LOCAL_LLM_URL: z.string().url().optional(),
  TECHSCANIQ_LOCAL_LLM_MODEL: z.string().min(1).default("llama3.1"),
  /** Tokens (input + output) one report may spend across all its model calls. */
  TECHSCANIQ_REPORT_TOKEN_BUDGET: z.coerce.number().int().positive().default(200_000),
});

export type AiEnv = z.infer<typeof Env>;

export const env: AiEnv = Env.parse(process.env);
