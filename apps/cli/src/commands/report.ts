import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { z } from "zod";
import { createTechScanClient } from "@techscaniq/api/client";
import { REPORT_FORMATS } from "@techscaniq/contracts/report";
import type { CliEnv } from "../env";
import type { ScanConnection } from "./scan";

const ReportFlags = z.object({
  format: z
    .enum(REPORT_FORMATS, { error: `--format must be one of ${REPORT_FORMATS.join(", ")}` })
    .default("md"),
  out: z.string().min(1, "--out: give a file name").optional(),
});

export interface ReportIo {
  /** Bytes of the export, when no --out is given. */
  stdout: (body: Buffer) => void;
  stderr: (text: string) => void;
  /** stdout is a terminal: a PDF then needs --out. */
  stdoutIsTerminal: boolean;
}

/**
 * `techscaniq report <scanId>`: the latest report version of a scan, through
 * the typed client. Returns the exit code: 0, 1 (the API refused), 2 (bad input).
 */
export async function runReport(
  scanId: string,
  rawFlags: z.input<typeof ReportFlags>,
  connection: ScanConnection,
  io: ReportIo,
): Promise<number> {
  const fail = (code: number, message: string) => {
    io.stderr(`techscaniq report: ${message}\n`);
    return code;
  };
  const parsed = ReportFlags.safeParse(rawFlags);
  if (!parsed.success) return fail(2, parsed.error.issues.map((issue) => issue.message).join("; "));
  if (!z.uuid().safeParse(scanId).success) return fail(2, "<scanId> must be a scan id (uuid)");
  const flags = parsed.data;
  if (!connection.apiKey) {
    return fail(
      2,
      "set TECHSCANIQ_API_KEY (create one with ./techscaniq admin create-api-key --tenant <slug> --name <name>)",
    );
  }
  if (flags.format === "pdf" && !flags.out && io.stdoutIsTerminal)
    return fail(2, "a PDF is binary: give --out FILE (or redirect stdout)");

  const client = createTechScanClient({
    url: `${connection.url.replace(/\/+$/, "")}/api/trpc`,
    apiKey: connection.apiKey,
  });
  try {
    const { report } = await client.report.get.query({ scanId });
    if (report.latestVersion === 0) {
      return fail(
        1,
        `the report of scan ${scanId} has no version yet (status ${report.status}${report.error ? `: ${report.error}` : ""})`,
      );
    }
    const exported = await client.report.export.query({ reportId: report.id, format: flags.format });
    const body = Buffer.from(exported.content, exported.encoding === "base64" ? "base64" : "utf8");
    if (flags.out) {
      await writeFile(flags.out, body);
      io.stderr(
        `wrote ${exported.fileName} (version ${exported.version}, ${body.length} bytes) to ${flags.out}\n`,
      );
    } else {
      io.stdout(body);
    }
    return 0;
  } catch (error) {
    return fail(1, error instanceof Error ? error.message : String(error));
  }
}

export function registerReportCommand(program: Command, env: CliEnv): void {
  program
    .command("report")
    .description("download a scan's report (latest version) via the API (TECHSCANIQ_URL, TECHSCANIQ_API_KEY)")
    .argument("<scanId>", "the scan whose report to export")
    .option("--format <format>", "md, html, pdf or json", "md")
    .option("--out <file>", "write to this file instead of stdout")
    .action(async (scanId: string, flags: { format?: string; out?: string }) => {
      process.exitCode = await runReport(
        scanId,
        { format: flags.format as z.input<typeof ReportFlags>["format"], out: flags.out },
        { url: env.TECHSCANIQ_URL, apiKey: env.TECHSCANIQ_API_KEY },
        {
          stdout: (body) => process.stdout.write(body),
          stderr: (text) => process.stderr.write(text),
          stdoutIsTerminal: process.stdout.isTTY === true,
        },
      );
    });
}
