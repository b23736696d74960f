import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadDbEnv } from "./env";
import { createSecretBox, loadSecretBox, SecretOpenError } from "./secrets";

const dataDir = await mkdtemp(path.join(tmpdir(), "tsiq-secrets-"));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe("secret box (AES-256-GCM)", () => {
  const box = createSecretBox("k".repeat(40));

  it("round-trips a secret, with a fresh iv each time", () => {
    const first = box.seal("sk-live-abcdefgh1234", "tenant:a:openai");
    const second = box.seal("sk-live-abcdefgh1234", "tenant:a:openai");
    expect(first).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain("abcdefgh");
    expect(box.open(first, "tenant:a:openai")).toBe("sk-live-abcdefgh1234");
    expect(box.open(second, "tenant:a:openai")).toBe("sk-live-abcdefgh1234");
  });

  it("detects tampering through the auth tag, another context and another key", () => {
    const sealed = box.seal("sk-live-abcdefgh1234", "tenant:a:openai");
    const [version, iv, tag, ciphertext] = sealed.split(".") as [string, string, string, string];
    const flipped = Buffer.from(ciphertext, "base64url");
    flipped[0] = flipped[0]! ^ 0x01;
    expect(() =>
      box.open([version, iv, tag, flipped.toString("base64url")].join("."), "tenant:a:openai"),
    ).toThrow(SecretOpenError);
    const badTag = Buffer.from(tag, "base64url");
    badTag[3] = badTag[3]! ^ 0x80;
    expect(() =>
      box.open([version, iv, badTag.toString("base64url"), ciphertext].join("."), "tenant:a:openai"),
    ).toThrow(/failed authentication/);
    expect(() => box.open(sealed, "tenant:b:openai")).toThrow(/failed authentication/);
    expect(() => createSecretBox("o".repeat(40)).open(sealed, "tenant:a:openai")).toThrow(
      /failed authentication/,
    );
    expect(() => box.open("v2.a.b.c", "tenant:a:openai")).toThrow(/not a sealed secret/);
  });

  it("generates the deployment key once into <data dir>/secrets-key (0600); production requires it", async () => {
    const box1 = await loadSecretBox(loadDbEnv({ TECHSCANIQ_DATA_DIR: dataDir }));
    const box2 = await loadSecretBox(loadDbEnv({ TECHSCANIQ_DATA_DIR: dataDir }));
    expect(box2.open(box1.seal("x", "c"), "c")).toBe("x");
    const file = path.join(dataDir, "secrets-key");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, "utf8")).length).toBeGreaterThanOrEqual(32);
    await expect(
      loadSecretBox(loadDbEnv({ TECHSCANIQ_DATA_DIR: dataDir, NODE_ENV: "production" })),
    ).rejects.toThrow(/TECHSCANIQ_SECRETS_KEY is required in production/);
    const configured = await loadSecretBox(
      loadDbEnv({
        TECHSCANIQ_DATA_DIR: dataDir,
        NODE_ENV: "production",
        TECHSCANIQ_SECRETS_KEY: "s".repeat(32),
      }),
    );
    expect(createSecretBox("s".repeat(32)).open(configured.seal("y", "c"), "c")).toBe("y");
    expect(() => loadDbEnv({ TECHSCANIQ_SECRETS_KEY: "short" })).toThrow(
      /TECHSCANIQ_SECRETS_KEY: must be at least 32 characters/,
    );
  });
});
