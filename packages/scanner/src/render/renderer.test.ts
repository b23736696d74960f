import { createSocket } from "node:dgram";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { browserLaunchFromProcess } from "../env";
import { SafeFetcher } from "../net";
import { SiteRenderer, browserSandbox, renderPages } from "./index";

let fixtures: FixtureServer;
let fetcher: SafeFetcher;
let renderer: SiteRenderer;
beforeAll(async () => {
  fixtures = await startFixtureServer({
    sites: ["spa-react", "wordpress-like", "redirects", "hostile-render"],
  });
  fetcher = new SafeFetcher({ allowPrivate: "loopback", requestTimeoutMs: 10_000 });
  renderer = await SiteRenderer.launch(fetcher, {
    jsGlobals: ["React.version", "_.VERSION", "jQuery.fn.jquery", "__APP_STATE__", "Vue.version"],
    domProperties: [{ selector: "#root", properties: ["_reactRootContainer"] }],
  });
});
afterAll(async () => {
  await renderer.close();
  await fetcher.close();
  await fixtures.close();
});

describe("renderer on spa-react", () => {
  it("sees the stack that only exists after JavaScript runs", async () => {
    const outcome = await renderer.render(fixtures.url("spa-react"));
    expect(outcome.error).toBeNull();
    const page = outcome.page!;
    expect(page.rendered).toBe(true);
    expect(page.status).toBe(200);
    expect(page.js).toEqual({ "React.version": "18.2.0", "_.VERSION": "4.17.21", __APP_STATE__: true });
    expect(page.domProperties).toEqual({ "#root": { _reactRootContainer: true } });
    expect(page.html).toContain('data-reactroot=""');
    expect(page.html).toContain("Ledger – $49/mo");
    expect(page.scriptSrc).toContain(fixtures.url("spa-react", "/static/js/vendor.js"));
    const vendor = page.scripts.find(
      (script) => script.url === fixtures.url("spa-react", "/static/js/vendor.js"),
    );
    expect(vendor?.content).toContain('var VERSION = "4.17.21"');
    expect(page.headers["content-security-policy"]?.[0]).toContain("default-src 'self'");
  });

  it("records every request, and refuses the private beacon by the same policy", async () => {
    const page = (await renderer.render(fixtures.url("spa-react"))).page!;
    const byUrl = new Map(page.requests.map((request) => [request.url, request]));
    expect(byUrl.get(fixtures.url("spa-react"))).toMatchObject({
      resourceType: "document",
      status: 200,
      thirdParty: false,
    });
    expect(byUrl.get(fixtures.url("spa-react", "/static/js/vendor.js"))).toMatchObject({
      resourceType: "script",
      status: 200,
    });
    expect(byUrl.get(fixtures.url("spa-react", "/api/data"))).toMatchObject({
      resourceType: "fetch",
      status: 200,
      method: "GET",
    });
    expect(byUrl.get(fixtures.url("spa-react", "/api/data"))!.bytes).toBeGreaterThan(50);
    expect(byUrl.get("http://10.0.0.1/collect.gif?page=home")).toMatchObject({
      resourceType: "image",
      status: null,
      thirdParty: true,
      blocked: "blocked: 10.0.0.1 is a private address",
    });
    expect(page.bytes).toBe(page.requests.reduce((sum, request) => sum + request.bytes, 0));
    expect(page.timings?.loadMs).toBeGreaterThanOrEqual(0);
    expect(page.mixedContent).toEqual([]);
  });

  it("takes a PNG screenshot", async () => {
    const page = (await renderer.render(fixtures.url("spa-react"))).page!;
    const png = Buffer.from(page.screenshotPng!, "base64");
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });
});

describe("renderer on other sites", () => {
  it("keeps every Set-Cookie and reads JS globals of a classic site", async () => {
    const page = (await renderer.render(fixtures.url("wordpress-like"))).page!;
    expect(page.cookies.map((cookie) => [cookie.name, cookie.httpOnly, cookie.sameSite])).toEqual([
      ["wordpress_test_cookie", true, "Lax"],
      ["pll_language", false, "Lax"],
    ]);
    expect(page.js["jQuery.fn.jquery"]).toBe("3.7.1");
    expect(page.consoleErrors).toEqual([]);
  });

  it("follows redirects itself through the policy and records the chain", async () => {
    const page = (await renderer.render(fixtures.url("redirects", "/old"))).page!;
    expect(page.url).toBe(fixtures.url("redirects", "/final/"));
    expect(page.redirects.map((hop) => hop.status)).toEqual([301, 302]);
    // The browser never followed a redirect itself: it only asked for the final URL.
    expect(
      page.requests.filter((request) => request.resourceType === "document").map((request) => request.url),
    ).toEqual([fixtures.url("redirects", "/final/")]);
  });

  it("refuses what the fetch policy refuses", async () => {
    expect((await renderer.render("ftp://files.example.org/")).error).toBe(
      "render failed: unsupported scheme ftp:",
    );
    expect((await renderer.render("http://169.254.169.254/latest/")).error).toBe(
      "render failed: blocked: 169.254.169.254 is a link-local address",
    );
  });

  it("records a refused page as a failure instead of throwing", async () => {
    const outcome = await renderer.render(fixtures.url("redirects", "/to-private"));
    expect(outcome.page).toBeNull();
    expect(outcome.error).toMatch(/^render failed: /);
  });
});

describe("renderPages", () => {
  it("closes the browser at once when the scan is cancelled", async () => {
    const controller = new AbortController();
    const cancellable = new SafeFetcher({ allowPrivate: "loopback", signal: controller.signal });
    controller.abort(new Error("cancelled"));
    const outcomes = await renderPages([fixtures.url("spa-react")], cancellable, { screenshot: false });
    expect(outcomes).toEqual([
      { url: fixtures.url("spa-react"), page: null, error: "render failed: scan cancelled" },
    ]);
    await cancellable.close();
  });
});

/** A process of this machine, from /proc. */
interface ProcessInfo {
  pid: number;
  ppid: number;
  uid: number;
  seccomp: number;
  cmdline: string[];
}

function processes(): ProcessInfo[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      try {
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1]);
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
        return [
          { pid: Number(pid), ppid: field("PPid"), uid: field("Uid"), seccomp: field("Seccomp"), cmdline },
        ];
      } catch {
        return []; // exited while we looked
      }
    });
}

// Chromium rewrites its children's argv into one string.
const isRenderer = (info: ProcessInfo) => info.cmdline.join(" ").includes("--type=renderer");

/** Browsers this test process started. */
const ownBrowsers = (all: ProcessInfo[]) =>
  all.filter((info) => info.ppid === process.pid && info.cmdline.includes("--remote-debugging-pipe"));

/** The browser this test process started besides `others`, and every process under it. */
function browserTree(others: number[]): { browser: ProcessInfo; descendants: ProcessInfo[] } {
  const all = processes();
  const browsers = ownBrowsers(all).filter((info) => !others.includes(info.pid));
  expect(browsers).toHaveLength(1);
  const descendants: ProcessInfo[] = [];
  let frontier = [browsers[0]!.pid];
  while (frontier.length) {
    const children = all.filter((info) => frontier.includes(info.ppid));
    descendants.push(...children);
    frontier = children.map((info) => info.pid);
  }
  return { browser: browsers[0]!, descendants };
}

describe("trust: the browser that renders attacker pages is sandboxed", () => {
  it("a page cannot open a WebRTC connection to a private address", { timeout: 120_000 }, async () => {
    const sink = createSocket("udp4");
    const received: string[] = [];
    sink.on("message", (message, from) =>
      received.push(`${from.address}:${from.port} ${message.length} bytes`),
    );
    await new Promise<void>((resolve) => sink.bind(0, "127.0.0.1", resolve));
    const target = `127.0.0.1:${sink.address().port}`;
    const fetcher = new SafeFetcher({ allowPrivate: "loopback" });
    const probe = await SiteRenderer.launch(fetcher, { jsGlobals: ["__webrtc"], screenshot: false });
    try {
      const outcome = await probe.render(fixtures.url("hostile-render", `/webrtc/?target=${target}`));
      expect(outcome.error).toBeNull();
      // The page ran its attempt (STUN server and remote candidate both at the sink) and gathered nothing.
      expect(outcome.page!.js.__webrtc).toBe("gathered: no candidates");
      // Bounded wait for any late connectivity check.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(received).toEqual([]);
    } finally {
      await probe.close();
      await fetcher.close();
      sink.close();
    }
  });

  it(
    "runs the browser as an unprivileged user, sandboxed, without the scanner's secrets",
    { timeout: 120_000 },
    async () => {
      // What the worker holds: the browser must inherit none of it.
      process.env.DATABASE_URL = "postgres://worker:secret@127.0.0.1/techscaniq";
      process.env.OPENAI_API_KEY = "sk-test-must-not-reach-the-browser";
      const fetcher = new SafeFetcher({ allowPrivate: "loopback" });
      const others = ownBrowsers(processes()).map((info) => info.pid);
      const confined = await SiteRenderer.launch(fetcher, { screenshot: false, pageTimeoutMs: 25_000 });
      try {
        // The looping page keeps its renderer process alive (until its deadline) while we look.
        const rendering = confined.render(fixtures.url("hostile-render", "/loop/"));
        let tree = browserTree(others);
        for (let tries = 0; tries < 50 && !tree.descendants.some(isRenderer); tries += 1) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          tree = browserTree(others);
        }
        const { browser, descendants } = tree;
        const sandbox = await browserSandbox(browserLaunchFromProcess().user);
        const environment = readFileSync(`/proc/${browser.pid}/environ`, "utf8").split("\0").filter(Boolean);
        // Debian's chromium launcher (a shell script, which sets PWD) adds its own variables;
        // none of ours may pass but the allowed few.
        const inherited = environment
          .map((entry) => entry.slice(0, entry.indexOf("=")))
          .filter((name) => name in process.env);
        expect(
          inherited.filter((name) => !/^(PATH|PWD|LANG|LC_ALL|TZ|FONTCONFIG_\w+|HOME|XDG_\w+)$/.test(name)),
        ).toEqual([]);
        expect(environment.join("\n")).not.toMatch(/secret|sk-test/);

        if (process.getuid!() === 0) {
          expect(sandbox.user?.uid).toBeGreaterThan(0);
          expect([browser, ...descendants].map((info) => info.uid)).toEqual(
            [browser, ...descendants].map(() => sandbox.user!.uid),
          );
        }
        const renderers = descendants.filter(isRenderer);
        expect(renderers.length).toBeGreaterThan(0);
        if (sandbox.sandboxed) {
          expect(browser.cmdline.join(" ")).not.toContain("--no-sandbox");
          // Chromium's sandbox: renderers run under a seccomp filter in their own user namespace.
          const browserNamespace = readlinkSync(`/proc/${browser.pid}/ns/user`);
          for (const info of renderers) {
            // A renderer caught at its very start enters its sandbox a moment later (bounded wait).
            let seccomp = info.seccomp;
            for (let tries = 0; tries < 30 && seccomp !== 2; tries += 1) {
              await new Promise((resolve) => setTimeout(resolve, 100));
              seccomp = processes().find((other) => other.pid === info.pid)?.seccomp ?? seccomp;
            }
            expect(seccomp).toBe(2);
            expect(readlinkSync(`/proc/${info.pid}/ns/user`)).not.toBe(browserNamespace);
          }
        } else {
          // Where the machine forbids the sandbox, the reason is known (and was said on stderr).
          expect(sandbox.warning).toMatch(/without its sandbox/);
        }
        expect((await rendering).error).toMatch(/^render timed out/);
      } finally {
        delete process.env.DATABASE_URL;
        delete process.env.OPENAI_API_KEY;
        await confined.close();
        await fetcher.close();
      }
    },
  );
});

describe("trust: deadlines on rendering", () => {
  it(
    "ends a page that loops forever with a recorded timeout and renders the next page",
    { timeout: 120_000 },
    async () => {
      const fetcher = new SafeFetcher({ allowPrivate: "loopback" });
      const bounded = await SiteRenderer.launch(fetcher, {
        jsGlobals: ["__rendered"],
        pageTimeoutMs: 20_000,
      });
      try {
        const looping = await bounded.render(fixtures.url("hostile-render", "/loop/"));
        expect(looping.page).toBeNull();
        expect(looping.error).toMatch(/^render timed out: page took longer than 20 s \(.+\)$/);
        const next = await bounded.render(fixtures.url("hostile-render", "/about/"));
        expect(next.error).toBeNull();
        expect(next.page!.js.__rendered).toBe("about");
      } finally {
        await bounded.close();
        await fetcher.close();
      }
    },
  );

  it("caps the HTML of a page whose DOM grows without end, and says so", { timeout: 120_000 }, async () => {
    const fetcher = new SafeFetcher({ allowPrivate: "loopback" });
    const capped = await SiteRenderer.launch(fetcher, { maxHtmlChars: 50_000, maxConsoleMessages: 5 });
    try {
      const outcome = await capped.render(fixtures.url("hostile-render", "/grow/"));
      expect(outcome.error).toBeNull();
      expect(outcome.page!.html).toHaveLength(50_000);
      expect(outcome.page!.html).toMatch(/^<!DOCTYPE html><html lang="en"><head>/);
      expect(outcome.page!.truncated).toEqual(["html"]);
    } finally {
      await capped.close();
      await fetcher.close();
    }
  });
});
