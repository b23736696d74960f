import { Command, CommanderError } from "commander";
import { registerAdminCommands } from "./commands/admin";
import { registerAgentCommands } from "./commands/agent";
import { registerScheduleCommands } from "./commands/agent-schedule";
import { registerBenchCommand } from "./commands/bench";
import { registerDbCommands } from "./commands/db";
import { registerDetectCommand } from "./commands/detect";
import { registerReportCommand } from "./commands/report";
import { registerScanCommand } from "./commands/scan";
import { registerTestCommand } from "./commands/test";
import { registerUpCommand } from "./commands/up";
import { registerWebhookCommands } from "./commands/webhook";
import { loadCliEnv, type CliEnv } from "./env";

let env: CliEnv;
try {
  env = loadCliEnv();
} catch (error) {
  console.error(`techscaniq: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const program = new Command("techscaniq")
  .description("TechScanIQ: technology due diligence from a company's website")
  .showHelpAfterError()
  .exitOverride();

registerUpCommand(program, env);
registerTestCommand(program);
registerDbCommands(program);
registerDetectCommand(program);
registerScanCommand(program, env);
registerReportCommand(program, env);
registerScheduleCommands(registerAgentCommands(program, env), env);
registerWebhookCommands(program, env);
registerAdminCommands(program);
registerBenchCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  // One line, no stack: the user gets what went wrong.
  console.error(`techscaniq: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
