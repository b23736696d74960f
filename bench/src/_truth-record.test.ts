import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureServer, startFixtureServer, startRecordedSite } from "@techscaniq/fixtures";
import { startRecordingProxy } from "./_truth-record";

describe("truth: recording and replaying a site", () => {
  let fixtures: FixtureServer;
  let dir: string;
  beforeAll(async () => {
    fixtures = await startFixtureServer({ sites: ["wordpress-like"] });
    dir = mkdtempSync(path.join(tmpdir(), "recorded-"));
  });
  afterAll(async () => {
    await fixtures.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("replays status, headers and bytes on another port, with the origin moved along", async () => {
    const proxy = await startRecordingProxy(fixtures.origin);
    const live = await fetch(proxy.origin + "/");
    const liveBody = await live.text();
    const liveCookies = live.headers.getSetCookie();
    const missing = await fetch(proxy.origin + "/wp-json/?probe=1");
    expect(missing.status).toBe(200);
    proxy.save(path.join(dir, "site"), "wordpress-like fixture");
    await proxy.close();

    const replay = await startRecordedSite("site", dir);
    try {
      const again = await fetch(replay.origin + "/");
      expect(again.status).toBe(200);
      // The fixture names its own origin in the body and the Link header: the replay names its own.
      expect(liveBody).toContain(fixtures.origin);
      expect(await again.text()).toBe(liveBody.replaceAll(fixtures.origin, replay.origin));
      expect(again.headers.get("link")).toBe(`<${replay.origin}/wp-json/>; rel="https://api.w.org/"`);
      expect(again.headers.getSetCookie()).toEqual(liveCookies);
      expect(again.headers.get("server")).toBe("nginx/1.24.0");
      // The query string is part of what was recorded; anything else was never seen.
      expect((await fetch(replay.origin + "/wp-json/?probe=1")).status).toBe(200);
      expect((await fetch(replay.origin + "/wp-json/")).status).toBe(404);
      expect((await fetch(replay.origin + "/", { method: "HEAD" })).status).toBe(200);
    } finally {
      await replay.close();
    }
  });
});
