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

/** OpenAI and any OpenAI-compatible server: Chat Completions with `response_format: json_schema`. */
export function openAiClient(config: { apiKey?: string; baseURL?: string }): ModelClient {
  const client = new OpenAI({
    // Local servers usually ignore the key, but the SDK requires one.
    apiKey: config.apiKey ?? "not-needed",
    baseURL: config.baseURL ?? "https://api.openai.com/v1",
    maxRetries: 0,
  });
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
export function anthropicClient(config: { apiKey: string; baseURL?: string }): ModelClient {
  const client = new Anthropic({
    apiKey: config.apiKey,
    baseURL: config.baseURL ?? "https://api.anthropic.com",
    maxRetries: 0,
  });
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
      const value = toolUse?.type === "tool_use" ? toolUse.input : parseJsonOrText(textBlock?.type === "text" ? textBlock.text : "");
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
export function modelClientFor(config: ProviderConfig): ModelClient | null {
  switch (config.kind) {
    case "openai":
      return openAiClient({ apiKey: config.apiKey, baseURL: config.baseURL });
    case "openai-compatible":
      return openAiClient({ apiKey: config.apiKey, baseURL: config.baseURL });
    case "anthropic":
      return anthropicClient({ apiKey: config.apiKey, baseURL: config.baseURL });
    case "offline":
      return null;
  }
}

export type FailureKind = "rate_limited" | "server_error" | "timeout" | "connection_error" | "client_error" | "aborted";

export interface ClassifiedFailure {
  kind: FailureKind;
  retryable: boolean;
  status: number | null;
  /** Milliseconds the provider asked us to wait (`retry-after-ms` / `retry-after`), if it did. */
  retryAfterMs: number | null;
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

/** Sorts an SDK error into what the router does next. Both SDKs share the same error shapes. */
export function classifyFailure(error: unknown): ClassifiedFailure {
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.constructor.name : "";
  if (name === "APIUserAbortError" || (error instanceof Error && error.name === "AbortError"))
    return { kind: "aborted", retryable: false, status: null, retryAfterMs: null, message };
  if (name === "APIConnectionTimeoutError")
    return { kind: "timeout", retryable: true, status: null, retryAfterMs: null, message };
  if (name === "APIConnectionError")
    return { kind: "connection_error", retryable: true, status: null, retryAfterMs: null, message };
  const status = (error as { status?: unknown }).status;
  if (typeof status === "number") {
    const retryAfterMs = retryAfterFrom((error as { headers?: unknown }).headers);
    if (status === 429) return { kind: "rate_limited", retryable: true, status, retryAfterMs, message };
    if (status >= 500 || status === 408 || status === 409)
      return { kind: "server_error", retryable: true, status, retryAfterMs, message };
    return { kind: "client_error", retryable: false, status, retryAfterMs, message };
  }
  return { kind: "client_error", retryable: false, status: null, retryAfterMs: null, message };
}
