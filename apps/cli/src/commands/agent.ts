import { readFile } from "node:fs/promises";
import { createTechScanClient } from "@techscaniq/api/client";
import { TERMINAL_AGENT_RUN_STATUSES } from "@techscaniq/contracts/agents";
import type { Command } from "commander";
import { z } from "zod";
import type { CliEnv } from "../env";
import type { ScanConnection } from "./scan";

export type Client = ReturnType<typeof createTechScanClient>;

export interface AgentIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** A run's input file is small JSON; anything bigger is a mistake. */
const MAX_INPUT_BYTES = 1_000_000;

const RunFlags = z.object({
  input: z.string().min(1, "--input needs a file name").optional(),
  wait: z.boolean().default(false),
  json: z.boolean().default(false),
});
const CreateFlags = z.object({
  template: z.string({ error: "--template <id> is required" }).min(1, "--template <id> is required"),
  name: z.string({ error: "--name <name> is required" }).trim().min(1, "--name <name> is required"),
});
export const agentId = z.uuid({ error: "<id> must be an agent id (uuid)" });

/** The terminal events of a run, and the wait for a person, end `agent run --wait`. */
const WAIT_ENDS = new Set([
  ...TERMINAL_AGENT_RUN_STATUSES.map((status) => `agent_run.${status}`),
  "agent_run.waiting_approval",
]);

/** Bad input on the caller's side (flags, files): exit code 2. */
export class UsageError extends Error {}

/**
 * Runs one API subcommand (`agent run`, `webhook add`…): 0 done, 1 the API refused or the work did
 * not succeed, 2 bad input on our side (flags, the input file, no API key).
 */
export async function apiCommand(
  name: string,
  connection: ScanConnection,
  io: AgentIo,
  body: (client: Client) => Promise<number>,
): Promise<number> {
  if (!connection.apiKey) {
    io.stderr(
      `techscaniq ${name}: set TECHSCANIQ_API_KEY ` +
        "(create one with ./techscaniq admin create-api-key --tenant <slug> --name <name>)\n",
    );
    return 2;
  }
  const client = createTechScanClient({
    url: `${connection.url.replace(/\/+$/, "")}/api/trpc`,
    apiKey: connection.apiKey,
  });
  try {
    return await body(client);
  } catch (error) {
    io.stderr(`techscaniq ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

/** An `agent …` subcommand through `apiCommand`. */
export const agentCommand = (
  name: string,
  connection: ScanConnection,
  io: AgentIo,
  body: (client: Client) => Promise<number>,
) => apiCommand(`agent ${name}`, connection, io, body);

export function parsed<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(result.error.issues.map((issue) => issue.message).join("; "));
  return result.data;
}

/** The run input from a JSON file (an object), or `{}` without --input. */
export async function readInput(file: string | undefined): Promise<Record<string, unknown>> {
  if (!file) return {};
  let text: string;
  try {
    const bytes = await readFile(file);
    if (bytes.byteLength > MAX_INPUT_BYTES) throw new Error(`larger than ${MAX_INPUT_BYTES} bytes`);
    text = bytes.toString("utf8");
  } catch (error) {
    throw new UsageError(`cannot read the input file ${file}: ${(error as Error).message}`);
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the input file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (input === null || typeof input !== "object" || Array.isArray(input))
    throw new UsageError(`the input file ${file} must hold a JSON object, e.g. {"urls": ["https://…"]}`);
  return input as Record<string, unknown>;
}

export function runAgentTemplates(flags: { json?: boolean }, connection: ScanConnection, io: AgentIo) {
  return agentCommand("templates", connection, io, async (client) => {
    const templates = await client.agent.templates.query();
    if (flags.json) io.stdout(`${JSON.stringify(templates, null, 2)}\n`);
    else
      for (const template of templates)
        io.stdout(`${template.id.padEnd(24)} ${template.title}: ${template.description}\n`);
    return 0;
  });
}

export function runAgentCreate(
  rawFlags: { template?: string | undefined; name?: string | undefined },
  connection: ScanConnection,
  io: AgentIo,
) {
  return agentCommand("create", connection, io, async (client) => {
    const flags = parsed(CreateFlags, rawFlags);
    const agent = await client.agent.create.mutate({ name: flags.name, templateId: flags.template });
    io.stdout(`${agent.id}\n`);
    io.stderr(
      `created agent "${agent.name}" from ${flags.template}, published at version ${agent.currentVersion}\n`,
    );
    return 0;
  });
}

/** Follows the run's events over SSE, a line per step on stderr, until it ends or waits for a person. */
function waitForRun(client: Client, runId: string, io: AgentIo): Promise<void> {
  return new Promise((resolve, reject) => {
    const subscription = client.agentRun.progress.subscribe(
      { runId },
      {
        onData: ({ data: event }) => {
          const { seq, kind, name, status } = event.data;
          io.stderr(
            event.type === "agent_run.step"
              ? `  step ${String(seq)} ${String(kind)} ${String(name)}: ${String(status)}\n`
              : `${event.type.replace(/^agent_run\./, "")}\n`,
          );
          if (WAIT_ENDS.has(event.type)) {
            subscription.unsubscribe();
            resolve();
          }
        },
        onComplete: resolve,
        onError: reject,
      },
    );
  });
}

export function runAgentRun(
  id: string,
  rawFlags: z.input<typeof RunFlags>,
  connection: ScanConnection,
  io: AgentIo,
) {
  return agentCommand("run", connection, io, async (client) => {
    const flags = parsed(RunFlags, rawFlags);
    const runAgent = parsed(agentId, id);
    const input = await readInput(flags.input);
    const queued = await client.agentRun.trigger.mutate({ agentId: runAgent, input });
    if (!flags.wait) {
      io.stdout(flags.json ? `${JSON.stringify(queued, null, 2)}\n` : `${queued.id}\n`);
      return 0;
    }
    io.stderr(`queued run ${queued.id} of version ${queued.agentVersion}\n`);
    await waitForRun(client, queued.id, io);
    const [run, steps] = await Promise.all([
      client.agentRun.get.query({ runId: queued.id }),
      client.agentRun.steps.query({ runId: queued.id }),
    ]);
    if (flags.json) io.stdout(`${JSON.stringify({ ...run, steps }, null, 2)}\n`);
    else
      io.stdout(
        [
          `run ${run.id}: ${run.status}${run.error ? `: ${run.error}` : ""}`,
          `version ${run.agentVersion}, ${steps.length} steps, ` +
            `${run.inputTokens + run.outputTokens} tokens, $${run.costUsd.toFixed(4)}`,
          ...(run.output?.summary ? ["", run.output.summary] : []),
          ...(run.status === "waiting_approval"
            ? ["", "waiting for approval: approve or reject it in the app"]
            : []),
        ].join("\n") + "\n",
      );
    return run.status === "succeeded" ? 0 : 1;
  });
}

export function runAgentPreview(
  id: string,
  flags: { input?: string | undefined },
  connection: ScanConnection,
  io: AgentIo,
) {
  return agentCommand("preview", connection, io, async (client) => {
    const previewAgent = parsed(agentId, id);
    const input = await readInput(flags.input);
    const prompt = await client.agent.previewPrompt.query({ agentId: previewAgent, input });
    io.stdout(`${JSON.stringify(prompt, null, 2)}\n`);
    return 0;
  });
}

export const processIo: AgentIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** The `agent` command and its subcommands; returns it for the groups registered beside (schedule). */
/** Where the agent commands send their requests, read when a command runs. */
export const agentConnection = (env: CliEnv) => (): ScanConnection => ({
  url: env.TECHSCANIQ_URL,
  apiKey: env.TECHSCANIQ_API_KEY,
});

export function registerAgentCommands(program: Command, env: CliEnv): Command {
  const connection = agentConnection(env);
  const io = processIo;
  const agent = program
    .command("agent")
    .description(
      "agents through the API (TECHSCANIQ_URL, TECHSCANIQ_API_KEY): templates, create, run, preview, " +
        "runs, schedule",
    );
  agent
    .command("templates")
    .description("list the templates an agent can be created from")
    .option("--json", "print the templates with their specs as JSON")
    .action(async (flags: { json?: boolean }) => {
      process.exitCode = await runAgentTemplates(flags, connection(), io);
    });
  agent
    .command("create")
    .description("create an agent from a template, published at version 1; prints its id alone")
    .option("--template <id>", "template id (see agent templates)")
    .option("--name <name>", "the agent's name, unique in the tenant")
    .action(async (flags: { template?: string; name?: string }) => {
      process.exitCode = await runAgentCreate(flags, connection(), io);
    });
  agent
    .command("run")
    .description("run an agent's current version; --wait follows it and prints the result")
    .argument("<id>", "agent id")
    .option("--input <file>", "the run input: a JSON object (default {})")
    .option("--wait", "follow the run (steps on stderr) until it ends or waits for approval")
    .option("--json", "print the run as JSON (with --wait: with its steps)")
    .action(async (id: string, flags: { input?: string; wait?: boolean; json?: boolean }) => {
      process.exitCode = await runAgentRun(id, flags, connection(), io);
    });
  agent
    .command("preview")
    .description("print the exact messages and tools the first model call of a run sends, as JSON")
    .argument("<id>", "agent id")
    .option("--input <file>", "the run input: a JSON object (default {})")
    .action(async (id: string, flags: { input?: string }) => {
      process.exitCode = await runAgentPreview(id, flags, connection(), io);
    });
  return agent;
}
