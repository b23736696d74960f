import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_USER_AGENT, loadScannerEnv } from "./env";

describe("style: one env style", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it("importing the scanner parses no environment: a bad variable is reported by loadScannerEnv", async () => {
    vi.stubEnv("TECHSCANIQ_RENDER_PAGE_TIMEOUT_MS", "soon");
    vi.resetModules();
    await expect(import("./index")).resolves.toHaveProperty("scanSite");
    expect(() => loadScannerEnv()).toThrow(
      /^Invalid scanner environment: TECHSCANIQ_RENDER_PAGE_TIMEOUT_MS: /,
    );
  }, 60_000);

  it("scan settings come from the env the caller passes, not from the process", async () => {
    vi.stubEnv("TECHSCANIQ_USER_AGENT", "from-the-process");
    vi.stubEnv("TECHSCANIQ_ALLOW_PRIVATE", "1");
    const { parseScanOptions } = await import("./scan");
    expect(parseScanOptions({})).toMatchObject({ userAgent: DEFAULT_USER_AGENT, allowPrivate: false });

    const scanner = loadScannerEnv({
      TECHSCANIQ_USER_AGENT: "Operator/1.0",
      TECHSCANIQ_ALLOW_PRIVATE: "1",
      TECHSCANIQ_RENDER_MAX_HTML_CHARS: "20000",
      TECHSCANIQ_BROWSER_USER: "render",
      CHROMIUM_PATH: "/opt/chromium",
      PATH: "/usr/bin",
      DATABASE_URL: "postgres://secret@db/app",
    });
    expect(parseScanOptions({ ...scanner.scanOptions, maxPages: 3 })).toMatchObject({
      userAgent: "Operator/1.0",
      allowPrivate: true,
      renderMaxHtmlChars: 20_000,
      maxPages: 3,
    });
    // The browser inherits only the listed variables of the source it was given.
    expect(scanner.browser).toEqual({
      executablePath: "/opt/chromium",
      env: { PATH: "/usr/bin" },
      user: "render",
    });
  });
});
