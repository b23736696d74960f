import type Anthropic from "@anthropic-ai/sdk";
import type { AgentMessage, AgentToolDeclaration } from "@techscaniq/contracts/agents";
import type OpenAI from "openai";
import type { ProviderConfig } from "../config";
import { anthropicSdk, openAiSdk, type ProviderFetch } from "../router/providers";

/**
 * Model calls with function calling, for agent runs: the conversation in the contracts' neutral
 * `AgentMessage` shape (what a run's steps store and the prompt preview shows), translated to each
 * vendor's API at the last moment. The SDKs' own retries are off; the runtime decides what to retry.
 */

export interface AgentModelRequest {
  model: string;
  messages: readonly AgentMessage[];
  tools: readonly AgentToolDeclaration[];
  maxOutputTokens: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface AgentModelAnswer {
  /** The assistant's turn: its text and the tools it calls (arguments as the JSON text the model wrote). */
  message: AgentMessage & { role: "assistant" };
  inputTokens: number;
  outputTokens: number;
  /** The model the provider says answered. */
  model: string;
}

export interface AgentModelClient {
  call(request: AgentModelRequest): Promise<AgentModelAnswer>;
}

/**
 * A tool's input schema as the vendors accept it: both want an object schema at the root (a union
 * such as compare_scans' becomes `type: object` with its `anyOf`), and neither needs `$schema`.
 */
export function vendorToolParameters(parameters: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = parameters;
  return schema.type === "object" ? schema : { type: "object", ...schema };
}

function openAiMessages(messages: readonly AgentMessage[]): OpenAI.Chat.ChatCompletionMessageParam[] {
  return messages.map((message): OpenAI.Chat.ChatCompletionMessageParam => {
    switch (message.role) {
      case "system":
        return { role: "system", content: message.content };
      case "user":
        return { role: "user", content: message.content };
      case "tool":
        return { role: "tool", tool_call_id: message.toolCallId ?? "", content: message.content };
      case "assistant":
        return message.toolCalls?.length
          ? {
              role: "assistant",
              content: message.content || null,
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                type: "function" as const,
                function: { name: call.name, arguments: call.arguments },
              })),
            }
          : { role: "assistant", content: message.content };
    }
  });
}

export function openAiAgentClient(config: {
  apiKey?: string;
  baseURL?: string;
  fetch?: ProviderFetch;
}): AgentModelClient {
  const client = openAiSdk(config);
  return {
    async call(request) {
      const completion = await client.chat.completions.create(
        {
          model: request.model,
          messages: openAiMessages(request.messages),
          max_completion_tokens: request.maxOutputTokens,
          ...(request.tools.length > 0
            ? {
                tools: request.tools.map((tool) => ({
                  type: "function" as const,
                  function: {
                    name: tool.name,
                    description: tool.description,
                    parameters: vendorToolParameters(tool.parameters),
                  },
                })),
              }
            : {}),
        },
        { timeout: request.timeoutMs, signal: request.signal },
      );
      const message = completion.choices[0]?.message;
      const toolCalls = (message?.tool_calls ?? []).flatMap((call) =>
        call.type === "function"
          ? [{ id: call.id, name: call.function.name, arguments: call.function.arguments }]
          : [],
      );
      return {
        message: {
          role: "assistant",
          content: message?.content ?? "",
          ...(toolCalls.length > 0 ? { toolCalls } : {}),
        },
        inputTokens: completion.usage?.prompt_tokens ?? 0,
        outputTokens: completion.usage?.completion_tokens ?? 0,
        model: completion.model,
      };
    },
  };
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** Anthropic wants the system prompt apart, and a tool's results as user turns of tool_result blocks. */
function anthropicMessages(messages: readonly AgentMessage[]): {
  system: string;
  messages: Anthropic.Messages.MessageParam[];
} {
  const system = messages
    .filter((message) => message.role === "system")
    .map((message) => message.content)
    .join("\n\n");
  const turns: Anthropic.Messages.MessageParam[] = [];
  for (const message of messages) {
    if (message.role === "system") continue;
    if (message.role === "tool") {
      const block: Anthropic.Messages.ToolResultBlockParam = {
        type: "tool_result",
        tool_use_id: message.toolCallId ?? "",
        content: message.content,
      };
      const last = turns.at(-1);
      // Results of one assistant turn's calls go back together in one user turn.
      if (last?.role === "user" && Array.isArray(last.content) && last.content[0]?.type === "tool_result")
        last.content.push(block);
      else turns.push({ role: "user", content: [block] });
      continue;
    }
    if (message.role === "assistant" && message.toolCalls?.length) {
      turns.push({
        role: "assistant",
        content: [
          ...(message.content ? [{ type: "text" as const, text: message.content }] : []),
          ...message.toolCalls.map((call) => ({
            type: "tool_use" as const,
            id: call.id,
            name: call.name,
            input: parseArguments(call.arguments),
          })),
        ],
      });
      continue;
    }
    turns.push({ role: message.role, content: message.content });
  }
  return { system, messages: turns };
}

export function anthropicAgentClient(config: {
  apiKey: string;
  baseURL?: string;
  fetch?: ProviderFetch;
}): AgentModelClient {
  const client = anthropicSdk(config);
  return {
    async call(request) {
      const { system, messages } = anthropicMessages(request.messages);
      const answer = await client.messages.create(
        {
          model: request.model,
          max_tokens: request.maxOutputTokens,
          system,
          messages,
          tools: request.tools.map((tool) => ({
            name: tool.name,
            description: tool.description,
            input_schema: vendorToolParameters(tool.parameters) as Anthropic.Messages.Tool.InputSchema,
          })),
        },
        { timeout: request.timeoutMs, signal: request.signal },
      );
      const text = answer.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("\n");
      const toolCalls = answer.content.flatMap((block) =>
        block.type === "tool_use"
          ? [{ id: block.id, name: block.name, arguments: JSON.stringify(block.input) }]
          : [],
      );
      return {
        message: { role: "assistant", content: text, ...(toolCalls.length > 0 ? { toolCalls } : {}) },
        inputTokens: answer.usage.input_tokens,
        outputTokens: answer.usage.output_tokens,
        model: answer.model,
      };
    },
  };
}

/** The function-calling client of a network provider; null for the offline analyst (the plan runs). */
export function agentModelClientFor(config: ProviderConfig, fetch?: ProviderFetch): AgentModelClient | null {
  switch (config.kind) {
    case "openai":
    case "openai-compatible":
      return openAiAgentClient({ apiKey: config.apiKey, baseURL: config.baseURL, fetch });
    case "anthropic":
      return anthropicAgentClient({ apiKey: config.apiKey, baseURL: config.baseURL, fetch });
    case "offline":
      return null;
  }
}
