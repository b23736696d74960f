import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { z } from "zod";
import { createTechScanClient } from "@techscaniq/api/client";
import { env } from "../env";

const ReportOptions = z.object({
  scanId: z.uuid({ error: "<scanId> must be a scan id (uuid)" }),
  format: z.enum(["md", "html", "pdf", "json"], { error: "--format must be one of md, html, pdf, json" }).default("md"),
  out: z.string().min(1, "--out: give a file name").optional(),
});

/** `techscaniq report <scanId> [--format md|html|pdf|json] [--out FILE]`: the latest report version of a scan, through the typed client. */
export function registerReportCommand(program: Command): void {
  program
    .command("report")
    .description("download a scan's report (latest version) via the API (TECHSCANIQ_URL, TECHSCANIQ_API_KEY)")
    .argument("<scanId>", "the scan whose report to export")
    .option("--format <format>", "md, html, pdf or json", "md")
    .option("--out <file>", "write to this file instead of stdout")
    .action(async (scanId: string, raw: Record<string, unknown>) => {
      const parsed = ReportOptions.safeParse({ ...raw, scanId });
      if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => issue.message).join("; "));
      const options = parsed.data;
      if (!env.TECHSCANIQ_API_KEY) throw new Error("TECHSCANIQ_API_KEY is not set; create one with `./techscaniq admin create-api-key --tenant <slug> --name cli`");
      if (options.format === "pdf" && !options.out && process.stdout.isTTY) throw new Error("a PDF is binary: give --out FILE (or redirect stdout)");
      const client = createTechScanClient({ url: new URL("/api/trpc", env.TECHSCANIQ_URL).toString(), apiKey: env.TECHSCANIQ_API_KEY });
      const { report } = await client.report.get.query({ scanId: options.scanId });
      if (report.latestVersion === 0) throw new Error(`the report of scan ${options.scanId} has no version yet (status ${report.status}${report.error ? `: ${report.error}` : ""})`);
      const exported = await client.report.export.query({ reportId: report.id, format: options.format });
      const body = Buffer.from(exported.content, exported.encoding === "base64" ? "base64" : "utf8");
      if (options.out) {
        await writeFile(options.out, body);
        console.error(`wrote ${exported.fileName} (version ${exported.version}, ${body.length} bytes) to ${options.out}`);
      } else {
        process.stdout.write(body);
      }
    });
}
