import { browserLaunchFromProcess } from "@techscaniq/scanner/env";
import { chromium } from "playwright-core";

export interface PdfOptions {
  /**
   * Chromium binary (the worker passes its scanner env's); default: the scanner's choice from the
   * process environment (CHROMIUM_PATH, Playwright's browser, else Debian's /usr/bin/chromium).
   */
  executablePath?: string;
  signal?: AbortSignal;
}

/**
 * The HTML export printed to A4 by headless Chromium. The page is
 * self-contained, so every request it might make is refused and host
 * resolution is disabled: rendering a report never touches the network.
 */
export async function renderPdf(html: string, options: PdfOptions = {}): Promise<Uint8Array> {
  const browser = await chromium.launch({
    executablePath: options.executablePath ?? browserLaunchFromProcess().executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-dev-shm-usage",
      "--host-resolver-rules=MAP * ~NOTFOUND",
    ],
  });
  const onAbort = () => void browser.close();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    await page.route("**/*", (route) => route.abort("blockedbyclient"));
    await page.setContent(html, { waitUntil: "load" });
    const pdf = await page.pdf({
      format: "A4",
      printBackground: true,
      margin: { top: "16mm", bottom: "16mm", left: "14mm", right: "14mm" },
    });
    return new Uint8Array(pdf);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await browser.close();
  }
}

/** Pages of a PDF, counted from its page objects (`/Type /Page`, not `/Pages`). */
export function countPdfPages(pdf: Uint8Array): number {
  const text = Buffer.from(pdf).toString("latin1");
  if (!text.startsWith("%PDF-")) return 0;
  return text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;
}
