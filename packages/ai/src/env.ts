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
  /** The largest budget a tenant may set for its reports; default: TECHSCANIQ_REPORT_TOKEN_BUDGET. */
  TECHSCANIQ_REPORT_TOKEN_BUDGET_MAX: z.coerce.number().int().positive().optional(),
  /** Comma-separated models tenants may choose on the deployment's keys, besides the deployment's own models. */
  TECHSCANIQ_AI_ALLOWED_MODELS: z
    .string()
    .regex(/^[\w.:/@-]+(,[\w.:/@-]+)*$/, "must be model names separated by commas")
    .optional()
    .transform((list) => list?.split(",") ?? []),
  /** Extra prices, `model=input/output` USD per million tokens, comma-separated (e.g. `gpt-5=1.25/10`). */
  TECHSCANIQ_AI_PRICES: z
    .string()
    .regex(/^[\w.:/@-]+=\d+(\.\d+)?\/\d+(\.\d+)?(,[\w.:/@-]+=\d+(\.\d+)?\/\d+(\.\d+)?)*$/, "must be model=input/output USD per million tokens, comma-separated")
    .optional()
    .transform((list) =>
      Object.fromEntries(
        (list?.split(",") ?? []).map((entry) => {
          const [model, price] = entry.split("=") as [string, string];
          const [input, output] = price.split("/").map(Number) as [number, number];
          return [model, { inputPerMTokUsd: input, outputPerMTokUsd: output }];
        }),
      ),
    ),
});

export type AiEnv = z.infer<typeof Env>;

export function loadAiEnv(source: NodeJS.ProcessEnv = process.env): AiEnv {
  return Env.parse(source);
}

export const env: AiEnv = loadAiEnv();
