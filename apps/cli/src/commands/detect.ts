import type { Command } from "commander";
import { z } from "zod";
import {
  FetchError,
  ScanInputError,
  scanSite,
  type ScanOptions,
  type ScanProgress,
  type ScanResult,
} from "@techscaniq/scanner";
import { loadScannerEnv, type ScannerEnv } from "@techscaniq/scanner/env";

const DetectFlags = z.object({
  render: z.boolean().default(false),
  allowPrivate: z.boolean().default(false),
  maxPages: z.coerce
    .number({ error: "--max-pages must be a number" })
    .int("--max-pages must be a whole number")
    .min(1, "--max-pages must be at least 1")
    .max(500, "--max-pages must be at most 500")
    .default(10),
  json: z.boolean().default(false),
});

export type DetectFlags = z.input<typeof DetectFlags>;

export interface DetectIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Rewrite one progress line in place (a terminal) rather than print a line per stage. */
  interactive: boolean;
}

/** The `detect --json` shape of one site, keyed by the URL as given. */
export interface DetectJson {
  finalUrl: string | null;
  technologies: {
    name: string;
    version: string | null;
    confidence: number;
    categories: string[];
    evidence: string[];
    /** Present on a layer inferred from what was seen, with what it was inferred from and why. */
    inferred?: true;
    inferredFrom?: { technology: string; basis: string }[];
  }[];
  security: {
    grade: string;
    score: number;
    tests: { name: string; pass: boolean; scoreModifier: number; result: string }[];
    tls: NonNullable<ScanResult["security"]>["tls"];
    cookies: NonNullable<ScanResult["security"]>["cookies"];
    dns: NonNullable<ScanResult["security"]>["dns"];
  } | null;
  vulnerabilities: {
    library: string;
    version: string;
    severity: string;
    identifiers: string[];
    evidence: string[];
  }[];
  performance: ScanResult["performance"] | null;
  thirdParties: ScanResult["thirdParties"];
  evidence: ScanResult["evidence"];
  errors: ScanResult["errors"];
}

export function toDetectJson(result: ScanResult): DetectJson {
  return {
    finalUrl: result.finalUrl,
    technologies: result.technologies.map(
      ({ name, version, confidence, categories, evidence, inferred, inferredFrom }) => ({
        name,
        version,
        confidence,
        categories,
        evidence,
        ...(inferred ? { inferred, inferredFrom } : {}),
      }),
    ),
    security: result.security && {
      grade: result.security.grade,
      score: result.security.score,
      tests: result.security.tests.map(({ name, pass, scoreModifier, result: outcome }) => ({
        name,
        pass,
        scoreModifier,
        result: outcome,
      })),
      tls: result.security.tls,
      cookies: result.security.cookies,
      dns: result.security.dns,
    },
    vulnerabilities: result.vulnerabilities.map(({ library, version, severity, identifiers, evidence }) => ({
      library,
      version,
      severity,
      identifiers,
      evidence,
    })),
    performance: result.performance,
    thirdParties: result.thirdParties,
    evidence: result.evidence,
    errors: result.errors,
  };
}

function refusedJson(url: string, message: string): DetectJson {
  return {
    finalUrl: null,
    technologies: [],
    security: null,
    vulnerabilities: [],
    performance: null,
    thirdParties: [],
    evidence: [],
    errors: [{ url, stage: "input", message }],
  };
}

function table(headings: string[], rows: string[][]): string {
  const widths = headings.map((heading, column) =>
    Math.max(heading.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    "  " +
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  return [line(headings), ...rows.map(line)].join("\n");
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export function formatDetectReport(url: string, result: ScanResult): string {
  const out: string[] = [`${url}${result.finalUrl !== url ? ` → ${result.finalUrl}` : ""}`, ""];
  out.push(`Technologies (${result.technologies.length})`);
  out.push(
    table(
      ["NAME", "VERSION", "CONFIDENCE", "CATEGORIES"],
      result.technologies.map((tech) => [
        tech.inferred
          ? `${tech.name} (inferred from ${tech.inferredFrom?.map((f) => f.technology).join(", ")})`
          : tech.name,
        tech.version ?? "-",
        `${tech.confidence}%`,
        tech.categories.join(", "),
      ]),
    ),
  );
  if (result.security) {
    out.push("", `Security headers: grade ${result.security.grade} (score ${result.security.score}/100)`);
    out.push(
      table(
        ["TEST", "PASS", "MODIFIER", "RESULT"],
        result.security.tests.map((test) => [
          test.name,
          test.pass ? "yes" : "NO",
          String(test.scoreModifier),
          test.result,
        ]),
      ),
    );
    const flagged = result.security.cookies.filter((cookie) => cookie.issues.length);
    if (flagged.length)
      out.push("", "Cookies", ...flagged.map((cookie) => `  ${cookie.name}: ${cookie.issues.join("; ")}`));
    if (result.security.tls)
      out.push(
        "",
        `TLS: ${result.security.tls.protocol ?? "?"}, issuer ${result.security.tls.issuer ?? "?"}, valid to ${result.security.tls.validTo ?? "?"}`,
      );
  }
  out.push("", `Vulnerable libraries (${result.vulnerabilities.length})`);
  if (result.vulnerabilities.length) {
    out.push(
      table(
        ["LIBRARY", "VERSION", "SEVERITY", "IDENTIFIERS"],
        result.vulnerabilities.map((vuln) => [
          vuln.library,
          vuln.version,
          vuln.severity,
          vuln.identifiers.join(", "),
        ]),
      ),
    );
  }
  const rendered = result.pages.filter((page) => page.rendered).length;
  out.push(
    "",
    `Pages: ${result.pages.length} (${rendered} rendered) · weight ${kb(result.performance.totalBytes)} in ${result.performance.totalRequests} requests · third parties: ${
      result.thirdParties.map((party) => party.owner).join(", ") || "none"
    } · evidence items: ${result.evidence.length}`,
  );
  if (result.errors.length)
    out.push(
      "",
      `Errors (${result.errors.length})`,
      ...result.errors.map((error) => `  [${error.stage}] ${error.url}: ${error.message}`),
    );
  return out.join("\n") + "\n";
}

function progressReporter(io: DetectIo): (event: ScanProgress) => void {
  let lastStage = "";
  return (event) => {
    const line = `[${Math.round(event.progress * 100)}%] ${event.stage}: ${event.message}`.slice(0, 160);
    if (io.interactive) io.stderr(`\r\x1b[K${line}${event.stage === "done" ? "\n" : ""}`);
    else if (event.stage !== lastStage) io.stderr(line + "\n");
    lastStage = event.stage;
  };
}

/** A refusal the user caused (bad URL, forbidden address): reported in one line, never a stack. */
function inputProblem(error: unknown): string | null {
  if (error instanceof ScanInputError) return error.message;
  if (
    error instanceof FetchError &&
    ["blocked", "scheme", "credentials", "invalid-url", "dns"].includes(error.code)
  )
    return error.message;
  return null;
}

/** Run `detect`; returns the exit code (0 when every URL was scanned, 1 when any was refused or failed). */
export async function runDetect(
  urls: string[],
  flags: DetectFlags,
  io: DetectIo,
  signal?: AbortSignal,
  /** The operator's scan settings and browser; default: the scanner's built-in defaults and fallback. */
  scanner?: Pick<ScannerEnv, "scanOptions" | "browser">,
): Promise<number> {
  const parsed = DetectFlags.safeParse(flags);
  if (!parsed.success) {
    io.stderr(`techscaniq detect: ${parsed.error.issues[0]!.message}\n`);
    return 1;
  }
  const options = parsed.data;
  let exitCode = 0;
  const json: Record<string, DetectJson> = {};
  for (const url of urls) {
    const scanOptions: ScanOptions = {
      ...(scanner ? { ...scanner.scanOptions, browser: scanner.browser } : {}),
      render: options.render,
      renderPages: 0,
      allowPrivate: options.allowPrivate,
      maxPages: options.maxPages,
      screenshots: false,
      ...(signal ? { signal } : {}),
      ...(options.json ? {} : { onProgress: progressReporter(io) }),
    };
    try {
      const result = await scanSite(url, scanOptions);
      if (options.json) json[url] = toDetectJson(result);
      else io.stdout(formatDetectReport(url, result) + "\n");
      if (result.pages.every((page) => page.error !== null)) exitCode = 1;
    } catch (error) {
      const problem = inputProblem(error);
      if (problem === null) throw error;
      exitCode = 1;
      io.stderr(`techscaniq detect: ${url}: ${problem}\n`);
      if (options.json) json[url] = refusedJson(url, problem);
    }
  }
  if (options.json) io.stdout(JSON.stringify(json, null, 2) + "\n");
  return exitCode;
}

export function registerDetectCommand(program: Command): void {
  program
    .command("detect")
    .description(
      "scan sites locally (no server): technologies with versions, security grade, vulnerable libraries",
    )
    .argument("<url...>", "site URLs (http or https)")
    .option("--render", "also render the home page in headless Chromium (finds client-side stacks)")
    .option("--allow-private", "allow private and loopback addresses (own network, local fixtures)")
    .option("--max-pages <n>", "pages to crawl per site", "10")
    .option("--json", "print one JSON object keyed by the URL as given")
    .action(
      async (
        urls: string[],
        flags: { render?: boolean; allowPrivate?: boolean; maxPages: string; json?: boolean },
      ) => {
        const controller = new AbortController();
        const cancel = () => controller.abort(new Error("interrupted"));
        process.once("SIGINT", cancel);
        try {
          process.exitCode = await runDetect(
            urls,
            {
              render: flags.render ?? false,
              allowPrivate: flags.allowPrivate ?? false,
              maxPages: flags.maxPages,
              json: flags.json ?? false,
            },
            {
              stdout: (text) => process.stdout.write(text),
              stderr: (text) => process.stderr.write(text),
              interactive: process.stderr.isTTY === true,
            },
            controller.signal,
            loadScannerEnv(),
          );
        } finally {
          process.off("SIGINT", cancel);
        }
      },
    );
}
