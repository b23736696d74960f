import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadApiEnv } from "../env";
import { loadAuthConfig } from "./config";

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "tsiq-auth-config-"));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe("auth settings", () => {
  it("generates the local signing secret once, into <data dir>/jwt-secret with mode 0600", async () => {
    const env = loadApiEnv({ TECHSCANIQ_DATA_DIR: dataDir });
    const first = await loadAuthConfig(env);
    const second = await loadAuthConfig(env);
    expect(first.mode).toBe("local");
    expect(second.jwtSecret).toEqual(first.jwtSecret);
    const file = path.join(dataDir, "jwt-secret");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, "utf8")).length).toBeGreaterThanOrEqual(32);
  });

  it("requires TECHSCANIQ_JWT_SECRET in production local mode, and uses it when set", async () => {
    await expect(
      loadAuthConfig(loadApiEnv({ TECHSCANIQ_DATA_DIR: dataDir, NODE_ENV: "production" })),
    ).rejects.toThrow(/TECHSCANIQ_JWT_SECRET is required/);
    const secret = "s".repeat(40);
    const config = await loadAuthConfig(
      loadApiEnv({
        TECHSCANIQ_DATA_DIR: dataDir,
        NODE_ENV: "production",
        TECHSCANIQ_JWT_SECRET: secret,
        ACCESS_TOKEN_TTL: "5m",
        REFRESH_TOKEN_TTL: "7d",
      }),
    );
    expect(config).toMatchObject({
      mode: "local",
      accessTokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 7 * 86_400,
    });
    expect(new TextDecoder().decode(config.jwtSecret)).toBe(secret);
  });

  it("switches to Supabase verification when SUPABASE_URL is set", async () => {
    const config = await loadAuthConfig(
      loadApiEnv({ TECHSCANIQ_DATA_DIR: dataDir, SUPABASE_URL: "https://abc.supabase.co/" }),
    );
    expect(config).toMatchObject({ mode: "supabase", issuer: "https://abc.supabase.co/auth/v1" });
    expect(config.mode === "supabase" && config.jwksUrl.href).toBe(
      "https://abc.supabase.co/auth/v1/.well-known/jwks.json",
    );
  });

  it("names every bad variable", () => {
    const load = () =>
      loadApiEnv({
        TECHSCANIQ_DATA_DIR: dataDir,
        ACCESS_TOKEN_TTL: "soon",
        SUPABASE_URL: "ftp://x",
        TECHSCANIQ_JWT_SECRET: "short",
      });
    expect(load).toThrow(/ACCESS_TOKEN_TTL: must be a duration like 900, 15m, 12h or 30d/);
    expect(load).toThrow(/SUPABASE_URL: must be an http\(s\) URL/);
    expect(load).toThrow(/TECHSCANIQ_JWT_SECRET: must be at least 32 characters/);
  });
});
