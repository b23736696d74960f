import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { z } from "zod";

const EnvSchema = z.object({
  /** "1" lets the fetcher and browser reach private and loopback addresses (operators, local tests). */
  TECHSCANIQ_ALLOW_PRIVATE: z.enum(["0", "1"]).default("0"),
  /** Chromium binary; default: Playwright's own browser when installed, else Debian's. */
  CHROMIUM_PATH: z.string().min(1).optional(),
  TECHSCANIQ_USER_AGENT: z.string().min(1).max(300).default("TechScanIQ/0.1 (+https://techscaniq.com/bot)"),
  /** OS user the browser runs as when the scanner runs as root (Chromium's sandbox refuses root). */
  TECHSCANIQ_BROWSER_USER: z
    .string()
    .regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, "must be a user name")
    .default("nobody"),
  /** Deadline of one page's whole render: navigation, settling, reading the DOM, screenshot. */
  TECHSCANIQ_RENDER_PAGE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(60_000),
  /** Characters of rendered HTML kept per page; the rest is cut off (and said so). */
  TECHSCANIQ_RENDER_MAX_HTML_CHARS: z.coerce.number().int().min(10_000).max(50_000_000).default(2_000_000),
});

/** The only variables the browser inherits: no database URL, no keys. HOME and XDG are set per launch. */
const BROWSER_ENV_NAMES = ["PATH", "LANG", "LC_ALL", "TZ", "FONTCONFIG_PATH", "FONTCONFIG_FILE"] as const;

export type ScannerEnv = z.infer<typeof EnvSchema> & {
  chromiumPath: string;
  browserEnv: Record<string, string>;
};

function playwrightChromium(): string | null {
  try {
    const path = chromium.executablePath();
    return path && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

function loadEnv(): ScannerEnv {
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
      .join("; ");
    throw new Error(`invalid scanner environment: ${problems}`);
  }
  return {
    ...parsed.data,
    chromiumPath: parsed.data.CHROMIUM_PATH ?? playwrightChromium() ?? "/usr/bin/chromium",
    browserEnv: Object.fromEntries(
      BROWSER_ENV_NAMES.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])),
    ),
  };
}

export const env: ScannerEnv = loadEnv();
