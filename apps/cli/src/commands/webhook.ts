import { WebhookEventType } from "@techscaniq/contracts/integrations";
import type { Command } from "commander";
import { z } from "zod";
import type { CliEnv } from "../env";
import { apiCommand, parsed, type AgentIo } from "./agent";
import type { ScanConnection } from "./scan";

const AddFlags = z.object({
  url: z.string({ error: "--url <url> is required" }).min(1, "--url <url> is required"),
  events: z
    .string({ error: "--events <types> is required, e.g. scan.completed,report.version_created" })
    .transform((list) =>
      list
        .split(",")
        .map((type) => type.trim())
        .filter(Boolean),
    )
    .pipe(z.array(WebhookEventType).min(1, "--events needs at least one event type")),
  description: z.string().max(500).optional(),
});
const ListFlags = z.object({ json: z.boolean().default(false) });
const DeliveriesFlags = z.object({
  json: z.boolean().default(false),
  endpoint: z.uuid({ error: "--endpoint must be an endpoint id (uuid)" }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** Adds an endpoint; prints its signing secret alone on stdout (shown only now), the rest on stderr. */
export function runWebhookAdd(flags: Record<string, unknown>, connection: ScanConnection, io: AgentIo) {
  return apiCommand("webhook add", connection, io, async (client) => {
    const { url, events, description } = parsed(AddFlags, flags);
    const { endpoint, secret } = await client.webhook.add.mutate({
      url,
      eventTypes: events,
      ...(description ? { description } : {}),
    });
    io.stderr(
      `added webhook endpoint ${endpoint.id} for ${endpoint.eventTypes.join(", ")}; its signing secret:\n`,
    );
    io.stdout(`${secret}\n`);
    return 0;
  });
}

export function runWebhookList(flags: Record<string, unknown>, connection: ScanConnection, io: AgentIo) {
  return apiCommand("webhook list", connection, io, async (client) => {
    const { json } = parsed(ListFlags, flags);
    const endpoints = await client.webhook.list.query();
    if (json) io.stdout(`${JSON.stringify(endpoints, null, 2)}\n`);
    else
      for (const endpoint of endpoints)
        io.stdout(
          `${endpoint.id}  ${endpoint.enabled ? "enabled " : "disabled"}  ${endpoint.url}  ` +
            `${endpoint.eventTypes.join(",")}  secret ••••${endpoint.secret.last4}` +
            `${endpoint.disabledReason ? `  (${endpoint.disabledReason})` : ""}\n`,
        );
    return 0;
  });
}

export function runWebhookDeliveries(
  flags: Record<string, unknown>,
  connection: ScanConnection,
  io: AgentIo,
) {
  return apiCommand("webhook deliveries", connection, io, async (client) => {
    const { json, endpoint, limit } = parsed(DeliveriesFlags, flags);
    const page = await client.webhook.deliveries.query({
      limit,
      ...(endpoint ? { endpointId: endpoint } : {}),
    });
    if (json) io.stdout(`${JSON.stringify(page.items, null, 2)}\n`);
    else
      for (const delivery of page.items)
        io.stdout(
          `${delivery.createdAt}  ${delivery.state.padEnd(9)}  attempt ${delivery.attempt}  ` +
            `${delivery.responseStatus ?? "—"}  ${delivery.action}  ${delivery.idempotencyKey}` +
            `${delivery.error ? `  ${delivery.error}` : ""}` +
            `${delivery.nextRetryAt ? `  next ${delivery.nextRetryAt}` : ""}\n`,
        );
    return 0;
  });
}

export function registerWebhookCommands(program: Command, env: CliEnv): void {
  const connection = (): ScanConnection => ({ url: env.TECHSCANIQ_URL, apiKey: env.TECHSCANIQ_API_KEY });
  const io: AgentIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  };
  const webhook = program
    .command("webhook")
    .description(
      "webhook endpoints through the API (TECHSCANIQ_URL, TECHSCANIQ_API_KEY): add, list, deliveries",
    );
  webhook
    .command("add")
    .description("add an endpoint receiving the given event types; prints its signing secret alone")
    .option("--url <url>", "where deliveries are POSTed")
    .option("--events <types>", "comma-separated event types, e.g. scan.completed,report.version_created")
    .option("--description <text>", "what the endpoint is for")
    .action(async (flags: Record<string, unknown>) => {
      process.exitCode = await runWebhookAdd(flags, connection(), io);
    });
  webhook
    .command("list")
    .description("the tenant's endpoints (secrets show their last 4 characters only)")
    .option("--json", "print the endpoints as JSON")
    .action(async (flags: Record<string, unknown>) => {
      process.exitCode = await runWebhookList(flags, connection(), io);
    });
  webhook
    .command("deliveries")
    .description("the latest webhook delivery attempts, newest first")
    .option("--endpoint <id>", "only this endpoint's")
    .option("--limit <n>", "how many (1–100, default 20)")
    .option("--json", "print the deliveries as JSON")
    .action(async (flags: Record<string, unknown>) => {
      process.exitCode = await runWebhookDeliveries(flags, connection(), io);
    });
}
