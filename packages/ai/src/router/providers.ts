import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { ProviderConfig } from "../config";

/** One turn of a conversation after the system prompt. */
export interface ChatTurn {
  role: "user" | "assistant";
  content: string;
}

export interface ModelRequest {
  model: string;
  system: string;
  turns: ChatTurn[];
  /** Name and JSON Schema of the structured answer (tool name / response_format name). */
  schemaName: string;
  jsonSchema: Record<string, unknown>;
  maxOutputTokens: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ModelAnswer {
  /** The structured answer as the provider returned it (parsed JSON, or the raw text when it was not JSON). */
  value: unknown;
  /** The answer as text, to show the model its own answer when asking for a correction. */
  text: string;
  inputTokens: number;
  outputTokens: number;
  /** The model the provider says answered. */
  model: string;
}

/** A network model behind one vendor API. The SDKs' own retries are off: the router's are the only ones. */
export interface ModelClient {
  complete(request: ModelRequest): Promise<ModelAnswer>;
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The HTTP client the SDKs send through. The worker injects one built on the
 * scanner's SSRF-safe fetcher (address checked at call time, DNS pinned,
 * redirects refused); without one the SDKs use the global fetch.
 */
export type ProviderFetch = typeof globalThis.fetch;

/** Where and how a provider's SDK connects: key, server, and the HTTP client it sends through. */
export interface ProviderConnection {
  apiKey?: string;
  baseURL?: string;
  fetch?: ProviderFetch;
}

/** The OpenAI SDK as every caller builds it: no SDK retries (callers retry), the injected fetch. */
export function openAiSdk(config: ProviderConnection): OpenAI {
  return new OpenAI({
    // Local servers usually ignore the key, but the SDK requires one.
    apiKey: config.apiKey ?? "not-needed",
    baseURL: config.baseURL ?? "https://api.openai.com/v1",
    maxRetries: 0,
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
}

/** The Anthropic SDK as every caller builds it: no SDK retries (callers retry), the injected fetch. */
export function anthropicSdk(config: ProviderConnection): Anthropic {
  return new Anthropic({
    apiKey: config.apiKey,
    baseURL: config.baseURL ?? "https://api.anthropic.com",
    maxRetries: 0,
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
}

/** OpenAI and any OpenAI-compatible server: Chat Completions with `response_format: json_schema`. */
export function openAiClient(config: {
  apiKey?: string;
  baseURL?: string;
  fetch?: ProviderFetch;
}): ModelClient {
  const client = openAiSdk(config);
  return {
    async complete(request) {
      const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
        { role: "system", content: request.system },
        ...request.turns.map((turn) => ({ role: turn.role, content: turn.content })),
      ];
      const completion = await client.chat.completions.create(
        {
          model: request.model,
          messages,
          max_completion_tokens: request.maxOutputTokens,
          response_format: {
            type: "json_schema",
            json_schema: { name: request.schemaName, schema: request.jsonSchema, strict: false },
          },
        },
        { timeout: request.timeoutMs, signal: request.signal },
      );
      const message = completion.choices[0]?.message;
      const toolCall = message?.tool_calls?.find((call) => call.type === "function");
      const text = toolCall?.type === "function" ? toolCall.function.arguments : (message?.content ?? "");
      return {
        value: parseJsonOrText(text),
        text,
        inputTokens: completion.usage?.prompt_tokens ?? 0,
        outputTokens: completion.usage?.completion_tokens ?? 0,
        model: completion.model,
      };
    },
  };
}

/** Anthropic Messages API, structured answers through a forced tool call. */
export function anthropicClient(config: {
  apiKey: string;
  baseURL?: string;
  fetch?: ProviderFetch;
}): ModelClient {
  const client = anthropicSdk(config);
  return {
    async complete(request) {
      const message = await client.messages.create(
        {
          model: request.model,
          max_tokens: request.maxOutputTokens,
          system: request.system,
          messages: request.turns.map((turn) => ({ role: turn.role, content: turn.content })),
          tools: [
            {
              name: request.schemaName,
              description: "Record the answer in this exact structure.",
              input_schema: request.jsonSchema as Anthropic.Messages.Tool.InputSchema,
            },
          ],
          tool_choice: { type: "tool", name: request.schemaName },
        },
        { timeout: request.timeoutMs, signal: request.signal },
      );
      const toolUse = message.content.find((block) => block.type === "tool_use");
      const textBlock = message.content.find((block) => block.type === "text");
      const value =
        toolUse?.type === "tool_use"
          ? toolUse.input
          : parseJsonOrText(textBlock?.type === "text" ? textBlock.text : "");
      return {
        value,
        text: JSON.stringify(value),
        inputTokens: message.usage.input_tokens,
        outputTokens: message.usage.output_tokens,
        model: message.model,
      };
    },
  };
}

/** The client for a configured network provider; the offline analyst has none (the router runs its rules). */
export function modelClientFor(config: ProviderConfig, fetch?: ProviderFetch): ModelClient | null {
  switch (config.kind) {
    case "openai":
    case "openai-compatible":
      return openAiClient({ apiKey: config.apiKey, baseURL: config.baseURL, fetch });
    case "anthropic":
      return anthropicClient({ apiKey: config.apiKey, baseURL: config.baseURL, fetch });
    case "offline":
      return null;
  }
}

export type FailureKind =
  "rate_limited" | "server_error" | "timeout" | "connection_error" | "client_error" | "aborted";

export interface ClassifiedFailure {
  kind: FailureKind;
  retryable: boolean;
  status: number | null;
  /** Milliseconds the provider asked us to wait (`retry-after-ms` / `retry-after`), if it did. */
  retryAfterMs: number | null;
  /**
   * Status and a short reason only: a provider's error body (which may echo
   * the prompt, scanned content or account details) is never copied into
   * usage rows, reports or messages.
   */
  message: string;
}

function retryAfterFrom(headers: unknown): number | null {
  if (!(headers instanceof Headers)) return null;
  const ms = headers.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get("retry-after");
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** A fetch refusal of the SSRF-safe fetcher (its FetchError), which the SDKs wrap as a connection error. */
function fetchRefusal(error: unknown): string | null {
  const cause = (error as { cause?: unknown }).cause;
  if (!(cause instanceof Error) || cause.name !== "FetchError") return null;
  const code = (cause as { code?: unknown }).code;
  return ["blocked", "scheme", "credentials", "invalid-url", "redirects"].includes(String(code))
    ? cause.message
    : null;
}

/** Sorts an SDK error into what the router does next. Both SDKs share the same error shapes. */
export function classifyFailure(error: unknown): ClassifiedFailure {
  const name = error instanceof Error ? error.constructor.name : "";
  const failure = (
    kind: FailureKind,
    retryable: boolean,
    message: string,
    status: number | null = null,
    retryAfterMs: number | null = null,
  ) => ({
    kind,
    retryable,
    status,
    retryAfterMs,
    message,
  });
  if (name === "APIUserAbortError" || (error instanceof Error && error.name === "AbortError"))
    return failure("aborted", false, "aborted");
  if (name === "APIConnectionTimeoutError") return failure("timeout", true, "timed out");
  const refusal = fetchRefusal(error);
  // The address policy refused the provider's URL: retrying cannot help.
  if (refusal) return failure("client_error", false, `refused: ${refusal}`);
  if (name === "APIConnectionError") return failure("connection_error", true, "connection error");
  const status = (error as { status?: unknown }).status;
  if (typeof status === "number") {
    const retryAfterMs = retryAfterFrom((error as { headers?: unknown }).headers);
    if (status === 429)
      return failure("rate_limited", true, `HTTP ${status} rate limited`, status, retryAfterMs);
    if (status >= 500 || status === 408 || status === 409)
      return failure("server_error", true, `HTTP ${status} server error`, status, retryAfterMs);
    return failure("client_error", false, `HTTP ${status} refused the request`, status, retryAfterMs);
  }
  return failure("client_error", false, `unexpected error (${name || typeof error})`);
}
