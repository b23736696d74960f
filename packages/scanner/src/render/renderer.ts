import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Page,
  type Request,
  type Route,
} from "playwright-core";
import {
  browserLaunchFromProcess,
  DEFAULT_RENDER_MAX_HTML_CHARS,
  DEFAULT_RENDER_PAGE_TIMEOUT_MS,
  type BrowserLaunch,
} from "../env";
import { extractPageAssets } from "../crawl/html";
import { FetchError, formatSeconds, type FetchedResponse, type SafeFetcher } from "../net";
import type { CookieInfo, Headers, NetworkRequest, PageSnapshot } from "../types";
import { isThirdParty } from "../net/domain";
import { browserSandbox, sandboxFailed, type BrowserSandbox } from "./sandbox";

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
  /** Deadline of one page's whole render; a page that holds the browser longer ends with a timeout. */
  pageTimeoutMs: number;
  /** Caps on what one page may add to the stored result. */
  maxHtmlChars: number;
  maxScripts: number;
  maxRequests: number;
  maxConsoleMessages: number;
  /** Default: `browserLaunchFromProcess()`; the worker and CLI pass their parsed scanner env's. */
  browser: BrowserLaunch;
}

export const DEFAULT_RENDER_OPTIONS: Omit<RenderOptions, "browser"> = {
  jsGlobals: [],
  domProperties: [],
  screenshot: true,
  navigationTimeoutMs: 30_000,
  settleMs: 1_500,
  viewport: { width: 1280, height: 800 },
  maxScriptBytes: 512 * 1024,
  pageTimeoutMs: DEFAULT_RENDER_PAGE_TIMEOUT_MS,
  maxHtmlChars: DEFAULT_RENDER_MAX_HTML_CHARS,
  maxScripts: 100,
  maxRequests: 2_000,
  maxConsoleMessages: 100,
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

const LAUNCH_TIMEOUT_MS = 30_000;
/** A context that will not close in this time means a wedged browser: it is closed too. */
const CLOSE_TIMEOUT_MS = 10_000;
const MAX_CONSOLE_MESSAGE_CHARS = 1_000;
const BROWSER_AS_USER = fileURLToPath(new URL("./browser-as-user.sh", import.meta.url));

/** One page's render ran out of time. */
class RenderTimeoutError extends Error {
  override name = "RenderTimeoutError";
}

/** One deadline for every step of a page's render; each step says what it is, for the error message. */
class PageDeadline {
  readonly #expired: Promise<never>;
  #timer: NodeJS.Timeout | undefined;
  #step = "starting";

  constructor(ms: number) {
    this.#expired = new Promise<never>((_, reject) => {
      this.#timer = setTimeout(
        () => reject(new RenderTimeoutError(`page took longer than ${formatSeconds(ms)} (${this.#step})`)),
        ms,
      );
    });
    this.#expired.catch(() => undefined);
  }

  run<T>(step: string, work: Promise<T>): Promise<T> {
    this.#step = step;
    // The losing promise settles later, when the context closes; nobody waits for it any more.
    work.catch(() => undefined);
    return Promise.race([work, this.#expired]);
  }

  clear(): void {
    clearTimeout(this.#timer);
  }
}

const withinMs = <T>(ms: number, work: Promise<T>): Promise<boolean> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    work
      .then(
        () => resolve(true),
        () => resolve(true),
      )
      .finally(() => clearTimeout(timer));
  });

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
  /** HOME of the browser for this launch, removed on close. */
  readonly #home: string;
  readonly #fetcher: SafeFetcher;
  readonly #options: RenderOptions;
  #closed = false;
  #closing: Promise<void> | null = null;

  private constructor(launched: LaunchedBrowser, fetcher: SafeFetcher, options: RenderOptions) {
    this.#browser = launched.browser;
    this.#home = launched.home;
    this.#fetcher = fetcher;
    this.#options = options;
  }

  static async launch(fetcher: SafeFetcher, options: Partial<RenderOptions> = {}): Promise<SiteRenderer> {
    const opts = { ...DEFAULT_RENDER_OPTIONS, browser: browserLaunchFromProcess(), ...options };
    const renderer = new SiteRenderer(await launchBrowser(opts.browser), fetcher, opts);
    // Cancelling the scan closes the browser at once.
    fetcher.signal?.addEventListener("abort", () => void renderer.close(), { once: true });
    return renderer;
  }

  async render(url: string): Promise<RenderOutcome> {
    if (this.#closed) return { url, page: null, error: "renderer closed" };
    let context: BrowserContext | null = null;
    const deadline = new PageDeadline(this.#options.pageTimeoutMs);
    try {
      context = await deadline.run(
        "opening a browser context",
        this.#browser.newContext({
          userAgent: this.#fetcher.policy.userAgent,
          viewport: this.#options.viewport,
          serviceWorkers: "block",
          acceptDownloads: false,
          ignoreHTTPSErrors: false,
        }),
      );
      return { url, page: await this.#renderIn(context, url, deadline), error: null };
    } catch (error) {
      if (error instanceof RenderTimeoutError)
        return { url, page: null, error: `render timed out: ${error.message}` };
      const message = error instanceof FetchError ? error.message : (error as Error).message.split("\n")[0]!;
      return { url, page: null, error: `render failed: ${message}` };
    } finally {
      deadline.clear();
      // A page that will not even close holds the browser: the later pages are not rendered in it.
      if (context && !(await withinMs(CLOSE_TIMEOUT_MS, context.close()))) await this.close();
    }
  }

  async #renderIn(context: BrowserContext, url: string, deadline: PageDeadline): Promise<PageSnapshot> {
    const options = this.#options;
    const observed = new Map<Request, ObservedRequest>();
    const scriptBodies = new Map<string, string>();
    // Redirects are followed by the fetcher (each hop checked), so the browser
    // navigates straight to the final URL and is answered with this very response.
    const document = await deadline.run(
      "fetching the page",
      this.#fetcher.fetch(url, { allowedContentTypes: null }),
    );
    const prefetched = new Map([[document.url, document]]);
    await deadline.run(
      "setting up interception",
      context.routeWebSocket(/.*/, (socket) =>
        socket.close({ code: 1008, reason: "websockets are not opened by the scanner" }),
      ),
    );
    await deadline.run(
      "setting up interception",
      context.route("**/*", (route) => this.#answer(route, observed, scriptBodies, prefetched)),
    );

    const page = await deadline.run("opening the page", context.newPage());
    const consoleErrors: string[] = [];
    let consoleDropped = false;
    const keepConsole = (text: string) => {
      if (consoleErrors.length < options.maxConsoleMessages) {
        consoleErrors.push(text.slice(0, MAX_CONSOLE_MESSAGE_CHARS));
      } else consoleDropped = true;
    };
    page.on("console", (message) => {
      if (message.type() === "error") keepConsole(message.text());
    });
    page.on("pageerror", (error) => keepConsole(`${error.name}: ${error.message}`));

    const response = await deadline.run(
      "loading the page",
      page.goto(document.url, { waitUntil: "load", timeout: options.navigationTimeoutMs }),
    );
    if (!response) throw new Error(`no response for ${url}`);
    await deadline.run(
      "waiting for the network to settle",
      page.waitForLoadState("networkidle", { timeout: options.settleMs }).catch(() => undefined),
    );
    await deadline.run("waiting for late scripts", page.waitForTimeout(Math.min(250, options.settleMs)));

    const finalUrl = page.url();
    // The page's own scripts stop here (our evaluations still run): a page that keeps growing its
    // DOM neither competes with the reading below nor changes what is read.
    const devtools = await deadline.run("stopping the page's scripts", context.newCDPSession(page));
    await deadline.run(
      "stopping the page's scripts",
      devtools.send("Emulation.setScriptExecutionDisabled", { value: true }),
    );

    const rendered = await deadline.run("reading the rendered HTML", readHtml(page, options.maxHtmlChars));
    const assets = extractPageAssets(rendered.html, finalUrl);
    const js = await deadline.run("reading JS globals", readJsGlobals(page, options.jsGlobals));
    const domProperties = await deadline.run(
      "reading DOM properties",
      readDomProperties(page, options.domProperties),
    );
    const timings = await deadline.run("reading timings", readTimings(page));
    const cookies = (await deadline.run("reading cookies", context.cookies())).map(toCookieInfo);
    const screenshotPng = options.screenshot
      ? (await deadline.run("taking a screenshot", page.screenshot({ type: "png" }))).toString("base64")
      : undefined;

    const allRequests: NetworkRequest[] = [...observed.values()].map((entry) => ({
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
    const requests = allRequests.slice(0, options.maxRequests);
    const mixedContent = finalUrl.startsWith("https:")
      ? requests.filter((request) => request.url.startsWith("http:")).map((request) => request.url)
      : [];
    const scripts = [
      ...assets.inlineScripts.map((content) => ({ content })),
      ...[...scriptBodies].map(([scriptUrl, content]) => ({ url: scriptUrl, content })),
    ];
    const truncated = [
      ...(rendered.truncated ? ["html" as const] : []),
      ...(scripts.length > options.maxScripts ? ["scripts" as const] : []),
      ...(allRequests.length > requests.length ? ["requests" as const] : []),
      ...(consoleDropped ? ["consoleErrors" as const] : []),
    ];

    return {
      requestedUrl: url,
      url: finalUrl,
      status: response.status(),
      headers: document.headers,
      html: rendered.html,
      contentType: document.contentType,
      bytes: allRequests.reduce((sum, request) => sum + request.bytes, 0),
      redirects: document.redirects,
      rendered: true,
      scriptSrc: assets.scriptSrc,
      scripts: scripts.slice(0, options.maxScripts),
      stylesheets: assets.stylesheets,
      cookies,
      js,
      domProperties,
      requests,
      consoleErrors: [...consoleErrors],
      mixedContent,
      timings,
      ...(truncated.length ? { truncated } : {}),
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
    this.#closing ??= (async () => {
      await withinMs(CLOSE_TIMEOUT_MS, this.#browser.close());
      await rm(this.#home, { recursive: true, force: true }).catch(() => undefined);
    })();
    return this.#closing;
  }
}

interface LaunchedBrowser {
  browser: Browser;
  home: string;
}

const warned = new Set<string>();

/** Said once per process, on stderr: an operator must know the browser is less confined than it should be. */
function warnAboutSandbox(sandbox: BrowserSandbox): void {
  if (!sandbox.warning || warned.has(sandbox.warning)) return;
  warned.add(sandbox.warning);
  process.emitWarning(sandbox.warning, { code: "TECHSCANIQ_BROWSER_SANDBOX" });
}

/**
 * Start Chromium as confined as this machine allows: its own sandbox on, as an unprivileged
 * user when we are root, with a minimal environment (no database URL, no keys) and its own HOME.
 */
async function launchBrowser(browser: BrowserLaunch): Promise<LaunchedBrowser> {
  let sandbox = await browserSandbox(browser.user);
  warnAboutSandbox(sandbox);
  const home = await mkdtemp(join(tmpdir(), "techscaniq-browser-"));
  try {
    if (sandbox.user) await chown(home, sandbox.user.uid, sandbox.user.gid);
    try {
      return { browser: await startChromium(browser, sandbox, home), home };
    } catch (error) {
      const message = (error as Error).message;
      if (!sandbox.sandboxed || !/sandbox/i.test(message)) throw error;
      sandbox = sandboxFailed(
        sandbox,
        message
          .split("\n")
          .find((line) => /sandbox/i.test(line))!
          .trim(),
      );
      warnAboutSandbox(sandbox);
      return { browser: await startChromium(browser, sandbox, home), home };
    }
  } catch (error) {
    await rm(home, { recursive: true, force: true });
    throw error;
  }
}

function startChromium(
  { executablePath, env }: BrowserLaunch,
  sandbox: BrowserSandbox,
  home: string,
): Promise<Browser> {
  const browserEnv = {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    XDG_CACHE_HOME: join(home, ".cache"),
  };
  return chromium.launch({
    ...(sandbox.user
      ? {
          executablePath: BROWSER_AS_USER,
          env: {
            ...browserEnv,
            TECHSCANIQ_BROWSER_UID: String(sandbox.user.uid),
            TECHSCANIQ_BROWSER_GID: String(sandbox.user.gid),
            TECHSCANIQ_BROWSER_EXECUTABLE: executablePath,
          },
        }
      : { executablePath, env: browserEnv }),
    chromiumSandbox: sandbox.sandboxed,
    timeout: LAUNCH_TIMEOUT_MS,
    args: [
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-dev-shm-usage",
      // Chromium must never reach the network itself (a fulfilled redirect, for one, would
      // be followed outside interception): every host, IP literals included, fails to resolve.
      "--host-resolver-rules=MAP * ~NOTFOUND",
      // WebRTC sends UDP from the browser itself, past interception and the resolver rules.
      // Only proxied UDP is allowed, and there is no proxy: no UDP at all.
      "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
      "--webrtc-ip-handling-policy=disable_non_proxied_udp",
    ],
  });
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

/** The rendered DOM as `page.content()` gives it, cut to `maxChars` inside the page. */
async function readHtml(page: Page, maxChars: number): Promise<{ html: string; truncated: boolean }> {
  return page.evaluate((max) => {
    // Runs in the page: only the DOM's shape needed here is declared, the package has no DOM lib.
    const doc = (
      globalThis as unknown as {
        document: { doctype: { name: string } | null; documentElement: { outerHTML: string } | null };
      }
    ).document;
    const html =
      (doc.doctype ? `<!DOCTYPE ${doc.doctype.name}>` : "") + (doc.documentElement?.outerHTML ?? "");
    return { html: html.slice(0, max), truncated: html.length > max };
  }, maxChars);
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
          // A dotted property reads into an object the node carries: an app root's `__vue_app__.version`.
          let value: unknown = node;
          for (const key of property.split(".")) {
            if (value === null || value === undefined) break;
            try {
              value = (value as Record<string, unknown>)[key];
            } catch {
              value = undefined;
            }
          }
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
