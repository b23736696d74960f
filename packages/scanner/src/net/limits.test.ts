import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { ByteBudget, SafeFetcher, decodeBody, type FetchError } from "./index";

let fixtures: FixtureServer;
beforeAll(async () => {
  fixtures = await startFixtureServer({ sites: ["limits", "redirects"] });
});
afterAll(() => fixtures.close());

async function failure(promise: Promise<unknown>): Promise<FetchError> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: FetchError) => error,
  );
}

describe("fetch limits", () => {
  it("aborts an oversized body mid-stream", async () => {
    const fetcher = new SafeFetcher({ allowPrivate: "loopback", maxResponseBytes: 256 * 1024 });
    const error = await failure(fetcher.fetch(fixtures.url("limits", "/big")));
    expect(error.code).toBe("too-large");
    expect(error.message).toBe("response over 256 KB");
    // Streaming stopped near the limit instead of reading all 8 MB.
    expect(fetcher.budget.used).toBeLessThan(1024 * 1024);
    await fetcher.close();
  });

  it("stops an endless redirect chain and a redirect loop", async () => {
    const fetcher = new SafeFetcher({ allowPrivate: "loopback", maxRedirects: 5 });
    expect((await failure(fetcher.fetch(fixtures.url("redirects", "/hop/1")))).message).toBe(
      "too many redirects (5)",
    );
    expect((await failure(fetcher.fetch(fixtures.url("redirects", "/loop-a")))).message).toBe(
      "too many redirects (5)",
    );
    await fetcher.close();
  });

  it("times out a slow response", async () => {
    const fetcher = new SafeFetcher({ allowPrivate: "loopback", requestTimeoutMs: 300 });
    const error = await failure(fetcher.fetch(fixtures.url("limits", "/slow")));
    expect(error.code).toBe("timeout");
    expect(error.message).toBe("timeout after 0.3 s");
    await fetcher.close();
  });

  it("stops when the scan's byte budget is used up", async () => {
    const budget = new ByteBudget(20_000);
    const fetcher = new SafeFetcher({ allowPrivate: "loopback", budget });
    const error = await failure(fetcher.fetch(fixtures.url("limits", "/big")));
    expect(error.code).toBe("budget");
    expect(error.message).toBe("scan byte budget of 19.5 KB used up");
    await fetcher.close();
  });

  it("cancels every fetch when the scan signal aborts", async () => {
    const controller = new AbortController();
    const fetcher = new SafeFetcher({ allowPrivate: "loopback", signal: controller.signal });
    const pending = failure(fetcher.fetch(fixtures.url("limits", "/slow")));
    setTimeout(() => controller.abort(new Error("scan cancelled by user")), 100);
    const error = await pending;
    expect(error.code).toBe("aborted");
    expect(error.message).toBe("aborted: scan cancelled by user");
    await fetcher.close();
  });

  it("refuses bodies of types it does not read", async () => {
    const fetcher = new SafeFetcher({ allowPrivate: "loopback" });
    const error = await failure(fetcher.fetch(fixtures.url("limits", "/download.bin")));
    expect(error.message).toBe("unsupported content type application/octet-stream");
    await fetcher.close();
  });
});

describe("charset decoding", () => {
  it("decodes a windows-1252 page named by Content-Type", async () => {
    const fetcher = new SafeFetcher({ allowPrivate: "loopback" });
    const page = await fetcher.fetch(fixtures.url("limits", "/latin1"));
    expect(page.charset).toBe("windows-1252");
    expect(page.text).toContain("<title>Café du Marché</title>");
    expect(page.text).toContain("12 € – l’entrée “maison”");
    await fetcher.close();
  });

  it("decodes a page whose charset is only in a meta tag", async () => {
    const fetcher = new SafeFetcher({ allowPrivate: "loopback" });
    const page = await fetcher.fetch(fixtures.url("limits", "/meta-charset"));
    expect(page.charset).toBe("windows-1252");
    expect(page.text).toContain("<title>Müller Bäckerei</title>");
    await fetcher.close();
  });

  it("prefers a byte-order mark, and falls back to UTF-8 for unknown labels", () => {
    const bom = Uint8Array.from([0xef, 0xbb, 0xbf, 0x63, 0x61, 0x66, 0xc3, 0xa9]);
    expect(decodeBody(bom, "text/html; charset=windows-1252")).toEqual({ text: "café", charset: "utf-8" });
    expect(decodeBody(Buffer.from("café"), "text/html; charset=no-such-charset").text).toBe("café");
  });
});
