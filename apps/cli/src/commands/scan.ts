import { readFile } from "node:fs/promises";
import { createTechScanClient, type RouterOutputs } from "@techscaniq/api/client";
import { describeRetry, detailsAs, TechnologyDetails } from "@techscaniq/contracts/scan";
import type { Command } from "commander";
import { z } from "zod";
import type { CliEnv } from "../env";

type Client = ReturnType<typeof createTechScanClient>;
type Scan = RouterOutputs["scan"]["get"];
type Finding = RouterOutputs["scan"]["findings"][number];

const MAX_THESIS_BYTES = 80_000;

const ScanFlags = z.object({
  thesis: z.string().min(1, "--thesis needs a file name").optional(),
  wait: z.boolean().default(false),
  json: z.boolean().default(false),
  maxPages: z.coerce
    .number({ error: "--max-pages must be a number" })
    .int("--max-pages must be a whole number")
    .min(1, "--max-pages must be at least 1")
    .max(200, "--max-pages must be at most 200")
    .optional(),
});

export type ScanFlags = z.input<typeof ScanFlags>;

export interface ScanIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Redraw one progress bar in place (a terminal) rather than print a line per change. */
  interactive: boolean;
}

export interface ScanConnection {
  /** The app's base URL (TECHSCANIQ_URL); the API is at `<url>/api/trpc`. */
  url: string;
  apiKey: string | undefined;
}

const TERMINAL = new Set(["scan.completed", "scan.failed", "scan.cancelled"]);
const BAR_WIDTH = 30;

function progressBar(progress: number, stage: string | null, type: string): string {
  const filled = Math.round((BAR_WIDTH * progress) / 100);
  return `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${String(progress).padStart(3)}% ${stage ?? ""} ${type.replace(/^scan\./, "")}`;
}

const RetryData = z.object({
  attempt: z.number(),
  maxAttempts: z.number(),
  error: z.string(),
  nextTryAt: z.string(),
});

/** The retry a scan.retrying event announces; null when its data lacks one (an older worker's). */
function retryOf(data: unknown) {
  const parsed = RetryData.safeParse(data);
  return parsed.success ? { ...parsed.data, reason: parsed.data.error } : null;
}

const clockTime = (iso: string) => new Date(iso).toLocaleTimeString();

/** Follows the scan's events over SSE, drawing the bar on stderr, until it ends. */
function waitForScan(client: Client, scanId: string, io: ScanIo): Promise<void> {
  return new Promise((resolve, reject) => {
    let lastLine = "";
    const subscription = client.scan.progress.subscribe(
      { scanId },
      {
        onData: ({ data: event }) => {
          const retry = event.type === "scan.retrying" ? retryOf(event.data) : null;
          if (retry) {
            // Its own line, kept above the bar: why the scan seems to stand still, and until when.
            io.stderr(`${io.interactive ? "\r\x1b[K" : ""}${describeRetry(retry, clockTime)}\n`);
            lastLine = "";
          }
          const line = progressBar(
            Number(event.data.progress ?? 0),
            (event.data.stage as string | null) ?? null,
            event.type,
          );
          if (io.interactive) io.stderr(`\r\x1b[K${line}`);
          else if (line !== lastLine) io.stderr(`${line}\n`);
          lastLine = line;
          if (TERMINAL.has(event.type)) {
            if (io.interactive) io.stderr("\n");
            subscription.unsubscribe();
            resolve();
          }
        },
        onError: reject,
      },
    );
  });
}

function findingsTable(scan: Scan, findings: Finding[]): string {
  const lines = [
    `${scan.targetUrl}  ${scan.status}${scan.error ? `: ${scan.error.message}` : ""}  (scan ${scan.id})`,
  ];
  const kinds: [Finding["kind"], string][] = [
    ["technology", "Technologies"],
    ["vulnerability", "Vulnerable libraries"],
    ["security", "Security"],
    ["third_party", "Third parties"],
    ["performance", "Performance"],
  ];
  for (const [kind, title] of kinds) {
    const rows = findings.filter(
      (finding) =>
        finding.kind === kind &&
        (kind !== "security" || finding.severity !== "info" || finding.name.endsWith("grade")),
    );
    if (rows.length === 0) continue;
    lines.push("", title);
    for (const finding of rows) {
      const version = finding.version ? ` ${finding.version}` : "";
      // A layer the site does not show says what it follows from, as `detect` says it.
      const inferredFrom =
        finding.kind === "technology"
          ? detailsAs(TechnologyDetails, finding.details)?.inferredFrom
          : undefined;
      const extra = [
        inferredFrom ? `inferred from ${inferredFrom.map((from) => from.technology).join(", ")}` : null,
        finding.category,
        finding.severity,
        finding.confidence === null ? null : `${finding.confidence}%`,
      ]
        .filter(Boolean)
        .join(", ");
      lines.push(
        `  ${finding.name}${version}${extra ? `  (${extra})` : ""}  [${finding.evidenceIds.length} evidence]`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/** tRPC client errors carry the server's message (e.g. "url: url must use http or https, not ftp"). */
function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `techscaniq scan <url>`: requests a scan through the typed API client with
 * an API key; with --wait follows its progress over SSE and prints the
 * findings (or, with --json, scan.get plus its findings). Returns the exit code.
 */
export async function runScan(
  url: string,
  rawFlags: ScanFlags,
  connection: ScanConnection,
  io: ScanIo,
): Promise<number> {
  const parsed = ScanFlags.safeParse(rawFlags);
  if (!parsed.success) {
    io.stderr(`techscaniq scan: ${parsed.error.issues.map((issue) => issue.message).join("; ")}\n`);
    return 2;
  }
  const flags = parsed.data;
  if (!connection.apiKey) {
    io.stderr(
      "techscaniq scan: set TECHSCANIQ_API_KEY (create one with ./techscaniq admin create-api-key --tenant <slug> --name <name>)\n",
    );
    return 2;
  }
  let thesis: string | undefined;
  if (flags.thesis) {
    try {
      const bytes = await readFile(flags.thesis);
      if (bytes.byteLength > MAX_THESIS_BYTES)
        throw new Error(`${flags.thesis} is larger than ${MAX_THESIS_BYTES} bytes`);
      thesis = bytes.toString("utf8");
    } catch (error) {
      io.stderr(`techscaniq scan: cannot read the thesis: ${describeError(error)}\n`);
      return 2;
    }
  }

  const client = createTechScanClient({
    url: `${connection.url.replace(/\/+$/, "")}/api/trpc`,
    apiKey: connection.apiKey,
  });
  try {
    const created = await client.scan.create.mutate({
      url,
      ...(thesis ? { thesis } : {}),
      ...(flags.maxPages ? { options: { maxPages: flags.maxPages, renderCount: 3, maxDepth: 3 } } : {}),
    });
    if (!flags.wait) {
      io.stdout(flags.json ? `${JSON.stringify(created, null, 2)}\n` : `${created.id}\n`);
      if (!flags.json)
        io.stderr(`queued scan of ${created.targetUrl}; follow it with --wait or in the web app\n`);
      return 0;
    }
    await waitForScan(client, created.id, io);
    const [scan, findings] = await Promise.all([
      client.scan.get.query({ scanId: created.id }),
      client.scan.findings.query({ scanId: created.id }),
    ]);
    io.stdout(
      flags.json ? `${JSON.stringify({ ...scan, findings }, null, 2)}\n` : findingsTable(scan, findings),
    );
    return scan.status === "succeeded" ? 0 : 1;
  } catch (error) {
    io.stderr(`techscaniq scan: ${describeError(error)}\n`);
    return 1;
  }
}

export function registerScanCommand(program: Command, env: CliEnv): void {
  program
    .command("scan")
    .description(
      "request a scan through the API (TECHSCANIQ_URL, TECHSCANIQ_API_KEY); --wait follows it and prints the findings",
    )
    .argument("<url>", "site to scan (http or https)")
    .option("--thesis <file>", "investment thesis (text file) to align the report with")
    .option("--wait", "follow progress (bar on stderr) and print the findings when done")
    .option("--json", "print JSON: the scan (with --wait: scan.get plus its findings)")
    .option("--max-pages <n>", "pages to crawl")
    .action(
      async (url: string, flags: { thesis?: string; wait?: boolean; json?: boolean; maxPages?: string }) => {
        process.exitCode = await runScan(
          url,
          {
            thesis: flags.thesis,
            wait: flags.wait ?? false,
            json: flags.json ?? false,
            maxPages: flags.maxPages,
          },
          { url: env.TECHSCANIQ_URL, apiKey: env.TECHSCANIQ_API_KEY },
          {
            stdout: (text) => process.stdout.write(text),
            stderr: (text) => process.stderr.write(text),
            interactive: process.stderr.isTTY === true,
          },
        );
      },
    );
}
