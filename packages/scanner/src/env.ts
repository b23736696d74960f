import { existsSync } from "node:fs";
import { chromium } from "playwright-core";
import { z } from "zod";

const EnvSchema = z.object({
  /** "1" lets the fetcher and browser reach private and loopback addresses (operators, local tests). */
  TECHSCANIQ_ALLOW_PRIVATE: z.enum(["0", "1"]).default("0"),
  /** Chromium binary; default: Playwright's own browser when installed, else Debian's. */
  CHROMIUM_PATH: z.string().min(1).optional(),
  TECHSCANIQ_USER_AGENT: z.string().min(1).max(300).default("TechScanIQ/0.1 (+https://techscaniq.com/bot)"),
});

export type ScannerEnv = z.infer<typeof EnvSchema> & { chromiumPath: string };

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
  };
}

export const env: ScannerEnv = loadEnv();
