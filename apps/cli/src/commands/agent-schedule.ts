import { CatchUpWindow, CronExpression, ScheduleOverlap, TimeZone } from "@techscaniq/contracts/schedules";
import type { Command } from "commander";
import { z } from "zod";
import type { CliEnv } from "../env";
import { agentConnection, agentCommand, agentId, parsed, processIo, readInput, type AgentIo } from "./agent";
import type { ScanConnection } from "./scan";

/** `agent schedule add|next|list` and `agent runs`, through the typed client. */

const scheduleId = z.uuid({ error: "<scheduleId> must be a schedule id (uuid)" });
const AddFlags = z.object({
  // Checked here too, so a typo is named before any request (the API checks again).
  cron: z.string({ error: "--cron EXPR is required" }).pipe(CronExpression),
  tz: z.string({ error: "--tz ZONE is required (an IANA zone, e.g. Europe/Amsterdam)" }).pipe(TimeZone),
  overlap: ScheduleOverlap.default("skip"),
  catchup: z.string().default("0").pipe(CatchUpWindow),
  input: z.string().min(1, "--input needs a file name").optional(),
});
const count = (max: number) =>
  z.coerce
    .number({ error: "--count must be a number" })
    .int("--count must be a whole number")
    .min(1, "--count must be at least 1")
    .max(max, `--count is at most ${max}`);
const NextFlags = z.object({
  count: count(50).default(5),
  from: z.iso.datetime({ offset: true, error: "--from must be an ISO 8601 instant" }).optional(),
  json: z.boolean().default(false),
});
const RunsFlags = z.object({ limit: count(100).default(20), json: z.boolean().default(false) });

/** The flags as commander hands them over: any may be missing or wrong; AddFlags says which. */
type RawAddFlags = Partial<Record<"cron" | "tz" | "overlap" | "catchup" | "input", string>>;

export function runScheduleAdd(id: string, rawFlags: RawAddFlags, connection: ScanConnection, io: AgentIo) {
  return agentCommand("schedule add", connection, io, async (client) => {
    const flags = parsed(AddFlags, rawFlags);
    const schedule = await client.agentSchedule.create.mutate({
      agentId: parsed(agentId, id),
      cron: flags.cron,
      timezone: flags.tz,
      overlap: flags.overlap,
      catchUp: rawFlags.catchup ?? "0",
      input: await readInput(flags.input),
    });
    io.stdout(`${schedule.id}\n`);
    io.stderr(
      `scheduled '${schedule.cron}' in ${schedule.timezone}; next run ${schedule.nextRunAt ?? "never"}\n`,
    );
    return 0;
  });
}

export function runScheduleNext(
  id: string,
  rawFlags: z.input<typeof NextFlags>,
  connection: ScanConnection,
  io: AgentIo,
) {
  return agentCommand("schedule next", connection, io, async (client) => {
    const flags = parsed(NextFlags, rawFlags);
    const next = await client.agentSchedule.next.query({
      scheduleId: parsed(scheduleId, id),
      count: flags.count,
      ...(flags.from ? { from: flags.from } : {}),
    });
    io.stdout(
      flags.json ? `${JSON.stringify(next, null, 2)}\n` : next.runs.map((run) => `${run}\n`).join(""),
    );
    return 0;
  });
}

export function runScheduleList(
  id: string,
  flags: { json?: boolean },
  connection: ScanConnection,
  io: AgentIo,
) {
  return agentCommand("schedule list", connection, io, async (client) => {
    const schedules = await client.agentSchedule.list.query({ agentId: parsed(agentId, id) });
    if (flags.json) io.stdout(`${JSON.stringify(schedules, null, 2)}\n`);
    else
      for (const s of schedules)
        io.stdout(
          `${s.id}  ${s.enabled ? "enabled " : "disabled"}  ${s.cron.padEnd(16)} ${s.timezone.padEnd(20)} ` +
            `overlap ${s.overlap.padEnd(10)} catch-up ${s.catchUp.padEnd(4)} next ${s.nextRunAt ?? "-"}\n`,
        );
    return 0;
  });
}

export function runAgentRuns(
  id: string,
  rawFlags: z.input<typeof RunsFlags>,
  connection: ScanConnection,
  io: AgentIo,
) {
  return agentCommand("runs", connection, io, async (client) => {
    const flags = parsed(RunsFlags, rawFlags);
    const page = await client.agentRun.list.query({ agentId: parsed(agentId, id), limit: flags.limit });
    if (flags.json) io.stdout(`${JSON.stringify(page.items, null, 2)}\n`);
    else
      for (const run of page.items)
        io.stdout(
          [
            run.id,
            run.createdAt,
            run.status.padEnd(16),
            run.trigger.padEnd(8),
            `v${run.agentVersion}`,
            ...(run.slotAt ? [`slot ${run.slotAt}${run.backfilled ? " (backfilled)" : ""}`] : []),
            ...(run.event ? [`event ${run.event.type ?? ""} #${run.event.id}`] : []),
            ...(run.skipReason ? [run.skipReason] : []),
          ].join("  ") + "\n",
        );
    return 0;
  });
}

export function registerScheduleCommands(agent: Command, env: CliEnv, io: AgentIo = processIo) {
  const connection = agentConnection(env);
  agent
    .command("runs")
    .description("an agent's latest runs: status, trigger, version, schedule slot, why skipped or missed")
    .argument("<agentId>", "agent id")
    .option("--limit <n>", "how many (at most 100)", "20")
    .option("--json", "print the runs as JSON")
    .action(async (id: string, flags: { limit?: string; json?: boolean }) => {
      process.exitCode = await runAgentRuns(id, flags, connection(), io);
    });
  const schedule = agent.command("schedule").description("an agent's schedules: add, next (run times), list");
  schedule
    .command("add")
    .description("schedule an agent (5-field cron in an IANA zone); prints the schedule id alone")
    .argument("<agentId>", "agent id")
    .option("--cron <expr>", "5-field cron expression, e.g. '0 9 * * 1-5'")
    .option("--tz <zone>", "IANA time zone, e.g. Europe/Amsterdam")
    .option("--overlap <policy>", "skip | buffer_one | allow, while a run of the schedule is going", "skip")
    .option("--catchup <duration>", "how late a slot may still run after downtime: 0, 15m, 2h, 1d", "0")
    .option("--input <file>", "the runs' input: a JSON object (default {})")
    .action(async (id: string, flags: RawAddFlags) => {
      process.exitCode = await runScheduleAdd(id, flags, connection(), io);
    });
  schedule
    .command("next")
    .description("the next run times, as ISO instants with the schedule zone's offset")
    .argument("<scheduleId>", "schedule id")
    .option("--count <n>", "how many (at most 50)", "5")
    .option("--from <iso>", "after this instant instead of now")
    .option("--json", "print { timezone, runs } as JSON")
    .action(async (id: string, flags: z.input<typeof NextFlags>) => {
      process.exitCode = await runScheduleNext(id, flags, connection(), io);
    });
  schedule
    .command("list")
    .description("an agent's schedules")
    .argument("<agentId>", "agent id")
    .option("--json", "print the schedules as JSON")
    .action(async (id: string, flags: { json?: boolean }) => {
      process.exitCode = await runScheduleList(id, flags, connection(), io);
    });
}
