import {
  chromium,
  type Browser,
  type BrowserContext,
  type Page,
  type Request,
  type Route,
} from "playwright-core";
import { env } from "../env";
import { extractPageAssets } from "../crawl/html";
import { FetchError, type FetchedResponse, type SafeFetcher } from "../net";
import type { CookieInfo, Headers, NetworkRequest, PageSnapshot } from "../types";
import { isThirdParty } from "../net/domain";

export interface RenderOptions {
  /** Dotted JS paths to read from `window` (from the fingerprints). */
  jsGlobals: string[];
  /** DOM node properties to read, per CSS selector (from the fingerprints). */
  domProperties: { selector: string; properties: string[] }[];
  screenshot: boolean;
  navigationTimeoutMs: number;
  /** Quiet time after `load` for late XHR/fetch and injected scripts. */
  settleMs: number;
  viewport: { width: number; height: number };
  /** Bytes of each script body kept for the detectors. */
  maxScriptBytes: number;
  executablePath: string;
}

export const DEFAULT_RENDER_OPTIONS: RenderOptions = {
  jsGlobals: [],
  domProperties: [],
  screenshot: true,
  navigationTimeoutMs: 30_000,
  settleMs: 1_500,
  viewport: { width: 1280, height: 800 },
  maxScriptBytes: 512 * 1024,
  executablePath: env.chromiumPath,
};

export interface RenderOutcome {
  url: string;
  page: PageSnapshot | null;
  error: string | null;
}

// Hop-by-hop and encoding headers: the fetcher talks to the server itself and hands Chromium plain bodies.
const DROPPED_REQUEST_HEADERS = new Set([
  "host",
  "connection",
  "content-length",
  "accept-encoding",
  "transfer-encoding",
  "upgrade",
  "keep-alive",
  "te",
  "trailer",
  "proxy-connection",
]);
const DROPPED_RESPONSE_HEADERS = new Set([
  "content-encoding",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
]);

interface ObservedRequest {
  request: Request;
  startedAt: number;
  response: FetchedResponse | null;
  durationMs: number | null;
  blocked?: string;
  failed?: string;
}

function flattenHeaders(headers: Headers): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, values] of Object.entries(headers)) {
    if (DROPPED_RESPONSE_HEADERS.has(name)) continue;
    // Chromium splits a fulfilled Set-Cookie on newlines, so every cookie survives.
    flat[name] = values.join(name === "set-cookie" ? "\n" : ", ");
  }
  return flat;
}

function toCookieInfo(cookie: Awaited<ReturnType<BrowserContext["cookies"]>>[number]): CookieInfo {
  return {
    name: cookie.name,
    value: cookie.value,
    domain: cookie.domain,
    path: cookie.path,
    ...(cookie.expires > 0 ? { expires: new Date(cookie.expires * 1000).toISOString() } : {}),
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
  };
}

/**
 * Renders pages in headless Chromium. Chromium never touches the network
 * itself: every request it makes is intercepted and answered by the scan's
 * SafeFetcher (same address policy, pinned DNS, limits and byte budget), and
 * its own resolver is disabled so nothing can slip past the interception.
 */
export class SiteRenderer {
  readonly #browser: Browser;
  readonly #fetcher: SafeFetcher;
  readonly #options: RenderOptions;
  #closed = false;
  #closing: Promise<void> | null = null;

  private constructor(browser: Browser, fetcher: SafeFetcher, options: RenderOptions) {
    this.#browser = browser;
    this.#fetcher = fetcher;
    this.#options = options;
  }

  static async launch(fetcher: SafeFetcher, options: Partial<RenderOptions> = {}): Promise<SiteRenderer> {
    const opts = { ...DEFAULT_RENDER_OPTIONS, ...options };
    const browser = await chromium.launch({
      executablePath: opts.executablePath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        // Chromium must never reach the network itself (a fulfilled redirect, for one, would
        // be followed outside interception): every host, IP literals included, fails to resolve.
        "--host-resolver-rules=MAP * ~NOTFOUND",
      ],
    });
    const renderer = new SiteRenderer(browser, fetcher, opts);
    // Cancelling the scan closes the browser at once.
    fetcher.signal?.addEventListener("abort", () => void renderer.close(), { once: true });
    return renderer;
  }

  async render(url: string): Promise<RenderOutcome> {
    if (this.#closed) return { url, page: null, error: "renderer closed" };
    let context: BrowserContext | null = null;
    try {
      context = await this.#browser.newContext({
        userAgent: this.#fetcher.policy.userAgent,
        viewport: this.#options.viewport,
        serviceWorkers: "block",
        ignoreHTTPSErrors: false,
      });
      return { url, page: await this.#renderIn(context, url), error: null };
    } catch (error) {
      const message = error instanceof FetchError ? error.message : (error as Error).message.split("\n")[0]!;
      return { url, page: null, error: `render failed: ${message}` };
    } finally {
      await context?.close().catch(() => undefined);
    }
  }

  async #renderIn(context: BrowserContext, url: string): Promise<PageSnapshot> {
    const observed = new Map<Request, ObservedRequest>();
    const scriptBodies = new Map<string, string>();
    // Redirects are followed by the fetcher (each hop checked), so the browser
    // navigates straight to the final URL and is answered with this very response.
    const document = await this.#fetcher.fetch(url, { allowedContentTypes: null });
    const prefetched = new Map([[document.url, document]]);
    await context.routeWebSocket(/.*/, (socket) =>
      socket.close({ code: 1008, reason: "websockets are not opened by the scanner" }),
    );
    await context.route("**/*", (route) => this.#answer(route, observed, scriptBodies, prefetched));

    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(`${error.name}: ${error.message}`));

    const response = await page.goto(document.url, {
      waitUntil: "load",
      timeout: this.#options.navigationTimeoutMs,
    });
    if (!response) throw new Error(`no response for ${url}`);
    await page.waitForLoadState("networkidle", { timeout: this.#options.settleMs }).catch(() => undefined);
    await page.waitForTimeout(Math.min(250, this.#options.settleMs));

    const finalUrl = page.url();

    const html = await page.content();
    const assets = extractPageAssets(html, finalUrl);
    const js = await readJsGlobals(page, this.#options.jsGlobals);
    const domProperties = await readDomProperties(page, this.#options.domProperties);
    const timings = await readTimings(page);
    const cookies = (await context.cookies()).map(toCookieInfo);
    const screenshotPng = this.#options.screenshot
      ? (await page.screenshot({ type: "png" })).toString("base64")
      : undefined;

    const requests: NetworkRequest[] = [...observed.values()].map((entry) => ({
      url: entry.request.url(),
      method: entry.request.method(),
      resourceType: entry.request.resourceType(),
      status: entry.response?.status ?? null,
      bytes: entry.response?.body.byteLength ?? 0,
      durationMs: entry.durationMs,
      thirdParty: isThirdParty(entry.request.url(), finalUrl),
      ...(entry.failed ? { failed: entry.failed } : {}),
      ...(entry.blocked ? { blocked: entry.blocked } : {}),
    }));
    const mixedContent = finalUrl.startsWith("https:")
      ? requests.filter((request) => request.url.startsWith("http:")).map((request) => request.url)
      : [];

    return {
      requestedUrl: url,
      url: finalUrl,
      status: response.status(),
      headers: document.headers,
      html,
      contentType: document.contentType,
      bytes: requests.reduce((sum, request) => sum + request.bytes, 0),
      redirects: document.redirects,
      rendered: true,
      scriptSrc: assets.scriptSrc,
      scripts: [
        ...assets.inlineScripts.map((content) => ({ content })),
        ...[...scriptBodies].map(([scriptUrl, content]) => ({ url: scriptUrl, content })),
      ],
      stylesheets: assets.stylesheets,
      cookies,
      js,
      domProperties,
      requests,
      consoleErrors,
      mixedContent,
      timings,
      ...(screenshotPng ? { screenshotPng } : {}),
      fetchedAt: new Date().toISOString(),
    };
  }

  async #answer(
    route: Route,
    observed: Map<Request, ObservedRequest>,
    scriptBodies: Map<string, string>,
    prefetched: Map<string, FetchedResponse>,
  ): Promise<void> {
    const request = route.request();
    const entry: ObservedRequest = { request, startedAt: Date.now(), response: null, durationMs: null };
    observed.set(request, entry);
    const url = request.url();
    if (!/^https?:/i.test(url)) {
      entry.blocked = `unsupported scheme ${new URL(url).protocol}`;
      await route.abort("blockedbyclient").catch(() => undefined);
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(await request.allHeaders())) {
      if (!DROPPED_REQUEST_HEADERS.has(name) && !name.startsWith(":")) headers[name] = value;
    }
    try {
      const body = request.postDataBuffer();
      const cached =
        request.isNavigationRequest() && request.method() === "GET" ? prefetched.get(url) : undefined;
      prefetched.delete(url);
      // Subresource redirects are followed here too and answered at the requested URL.
      const response =
        cached ??
        (await this.#fetcher.fetch(url, {
          method: request.method(),
          headers,
          ...(body ? { body } : {}),
          allowedContentTypes: null,
        }));
      entry.response = response;
      entry.durationMs = Date.now() - entry.startedAt;
      if (request.resourceType() === "script" && response.status === 200) {
        scriptBodies.set(url, response.text.slice(0, this.#options.maxScriptBytes));
      }
      await route.fulfill({
        status: response.status,
        headers: flattenHeaders(response.headers),
        body: Buffer.from(response.body),
      });
    } catch (error) {
      entry.durationMs = Date.now() - entry.startedAt;
      const message = (error as Error).message;
      if (error instanceof FetchError && error.code === "blocked") entry.blocked = message;
      else entry.failed = message;
      await route
        .abort(error instanceof FetchError && error.code === "blocked" ? "blockedbyclient" : "failed")
        .catch(() => undefined);
    }
  }

  /** Every caller (the abort handler, the final cleanup) waits for the same, complete shutdown. */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.#browser.close().catch(() => undefined);
    return this.#closing;
  }
}

type JsValue = string | number | boolean | null;

// The callbacks below run inside the page. They declare no named inner functions:
// tsx/esbuild would wrap those in a `__name` helper that does not exist in the page.

/** Read dotted paths from `window`; primitives as they are, objects and functions as `true` (present), absent paths left out. */
async function readJsGlobals(page: Page, paths: string[]): Promise<Record<string, JsValue>> {
  if (paths.length === 0) return {};
  return page.evaluate((list) => {
    const found: Record<string, string | number | boolean | null> = {};
    for (const path of list) {
      try {
        let value: unknown = globalThis;
        for (const key of path.split(".")) {
          if (value === null || value === undefined) break;
          value = (value as Record<string, unknown>)[key];
        }
        if (value === undefined) continue;
        if (
          value === null ||
          typeof value === "string" ||
          typeof value === "number" ||
          typeof value === "boolean"
        ) {
          found[path] = typeof value === "string" ? value.slice(0, 500) : value;
        } else found[path] = true;
      } catch {
        // A getter that throws means the path is not readable; treat it as absent.
      }
    }
    return found;
  }, paths);
}

async function readDomProperties(
  page: Page,
  wanted: { selector: string; properties: string[] }[],
): Promise<Record<string, Record<string, JsValue>>> {
  if (wanted.length === 0) return {};
  return page.evaluate((list) => {
    const found: Record<string, Record<string, string | number | boolean | null>> = {};
    for (const { selector, properties } of list) {
      // Runs in the page: only the DOM's shape needed here is declared, the package has no DOM lib.
      const doc = (
        globalThis as unknown as { document: { querySelectorAll(selector: string): Iterable<object> } }
      ).document;
      let nodes: object[];
      try {
        nodes = [...doc.querySelectorAll(selector)];
      } catch {
        continue;
      }
      for (const property of properties) {
        for (const node of nodes) {
          const value = (node as unknown as Record<string, unknown>)[property];
          if (value === undefined) continue;
          const plain = value === null || ["string", "number", "boolean"].includes(typeof value);
          (found[selector] ??= {})[property] = plain ? (value as string | number | boolean | null) : true;
          break;
        }
      }
    }
    return found;
  }, wanted);
}

async function readTimings(page: Page): Promise<PageSnapshot["timings"]> {
  return page.evaluate(() => {
    type NavigationEntry = {
      startTime: number;
      responseStart: number;
      domContentLoadedEventEnd: number;
      loadEventEnd: number;
    };
    const perf = performance as unknown as { getEntriesByType(type: string): NavigationEntry[] };
    const entry = perf.getEntriesByType("navigation")[0];
    if (!entry) return {};
    return {
      ttfbMs: Math.round(entry.responseStart - entry.startTime),
      domContentLoadedMs: Math.round(entry.domContentLoadedEventEnd - entry.startTime),
      loadMs: Math.round(entry.loadEventEnd - entry.startTime),
    };
  });
}

/**
 * Render `urls` one after another in a fresh context each (no state leaks
 * between pages). A page that fails is returned with its error; the browser
 * is always closed.
 */
export async function renderPages(
  urls: string[],
  fetcher: SafeFetcher,
  options: Partial<RenderOptions> = {},
): Promise<RenderOutcome[]> {
  const renderer = await SiteRenderer.launch(fetcher, options);
  try {
    const outcomes: RenderOutcome[] = [];
    for (const url of urls) {
      if (fetcher.signal?.aborted) {
        outcomes.push({ url, page: null, error: "render failed: scan cancelled" });
        continue;
      }
      outcomes.push(await renderer.render(url));
    }
    return outcomes;
  } finally {
    await renderer.close();
  }
}
