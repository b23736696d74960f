import { z } from "zod";

/**
 * AI provider settings. With none of the keys set, reports are written by the
 * offline analyst, so the product is whole without any account.
 */
const Env = z.object({
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.string().url().optional(),
  /** An OpenAI-compatible local server (vLLM, Ollama, LM Studio). */
  TECHSCANIQ_LOCAL_LLM_URL: z.string().url().optional(),
});

export const env = Env.parse(process.env);
