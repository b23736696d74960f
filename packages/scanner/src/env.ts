import { existsSync } from "node:fs";
import { defineEnv, type EnvSource } from "@techscaniq/contracts/env";
import { chromium } from "playwright-core";
import { z } from "zod";

export const DEFAULT_USER_AGENT = "TechScanIQ/0.1 (+https://techscaniq.com/bot)";
export const DEFAULT_RENDER_PAGE_TIMEOUT_MS = 60_000;
export const DEFAULT_RENDER_MAX_HTML_CHARS = 2_000_000;

export const scannerEnvSchema = z.object({
  /** "1" lets the fetcher and browser reach private and loopback addresses (operators, local tests). */
  TECHSCANIQ_ALLOW_PRIVATE: z.enum(["0", "1"]).default("0"),
  /** Chromium binary; default: Playwright's own browser when installed, else Debian's. */
  CHROMIUM_PATH: z.string().min(1).optional(),
  TECHSCANIQ_USER_AGENT: z.string().min(1).max(300).default(DEFAULT_USER_AGENT),
  /** OS user the browser runs as when the scanner runs as root (Chromium's sandbox refuses root). */
  TECHSCANIQ_BROWSER_USER: z
    .string()
    .regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, "must be a user name")
    .default("nobody"),
  /** Deadline of one page's whole render: navigation, settling, reading the DOM, screenshot. */
  TECHSCANIQ_RENDER_PAGE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(600_000)
    .default(DEFAULT_RENDER_PAGE_TIMEOUT_MS),
  /** Characters of rendered HTML kept per page; the rest is cut off (and said so). */
  TECHSCANIQ_RENDER_MAX_HTML_CHARS: z.coerce
    .number()
    .int()
    .min(10_000)
    .max(50_000_000)
    .default(DEFAULT_RENDER_MAX_HTML_CHARS),
});

/** The only variables the browser inherits: no database URL, no keys. HOME and XDG are set per launch. */
const BROWSER_ENV_NAMES = ["PATH", "LANG", "LC_ALL", "TZ", "FONTCONFIG_PATH", "FONTCONFIG_FILE"] as const;

/** How Chromium is started: which binary, with which environment, as which user when we are root. */
export interface BrowserLaunch {
  executablePath: string;
  env: Record<string, string>;
  user: string;
}

export type ScannerEnv = z.infer<typeof scannerEnvSchema> & {
  /** The operator's settings for every scan (`scanSite` options; a caller's own options win). */
  scanOptions: {
    allowPrivate: boolean;
    userAgent: string;
    renderPageTimeoutMs: number;
    renderMaxHtmlChars: number;
  };
  browser: BrowserLaunch;
};

function playwrightChromium(): string | null {
  try {
    const path = chromium.executablePath();
    return path && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const scannerEnv = defineEnv("scanner", scannerEnvSchema, (parsed, source): ScannerEnv => ({
  ...parsed,
  scanOptions: {
    allowPrivate: parsed.TECHSCANIQ_ALLOW_PRIVATE === "1",
    userAgent: parsed.TECHSCANIQ_USER_AGENT,
    renderPageTimeoutMs: parsed.TECHSCANIQ_RENDER_PAGE_TIMEOUT_MS,
    renderMaxHtmlChars: parsed.TECHSCANIQ_RENDER_MAX_HTML_CHARS,
  },
  browser: {
    executablePath: parsed.CHROMIUM_PATH ?? playwrightChromium() ?? "/usr/bin/chromium",
    env: Object.fromEntries(
      BROWSER_ENV_NAMES.flatMap((name) => (source[name] ? [[name, source[name]]] : [])),
    ),
    user: parsed.TECHSCANIQ_BROWSER_USER,
  },
}));

/** Validates the scanner's settings; entry points (worker, CLI `detect`) call it once and pass it down. */
export function loadScannerEnv(source: EnvSource = process.env): ScannerEnv {
  return scannerEnv.load(source);
}

let fromProcess: BrowserLaunch | undefined;

/**
 * The fallback for callers that start a browser without saying how (scanner tests, scripts):
 * parsed from the process environment on first use, then kept. The worker and the CLI pass
 * `loadScannerEnv().browser` instead; threading it through every test helper is not worth it.
 */
export function browserLaunchFromProcess(): BrowserLaunch {
  fromProcess ??= loadScannerEnv().browser;
  return fromProcess;
}
