import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/** Loads the API (router and client) in a fresh Node process and prints every module URL it resolved. */
const PROBE = `
import { registerHooks } from "node:module";
const loaded = [];
registerHooks({ resolve: (specifier, context, next) => { const result = next(specifier, context); loaded.push(result.url); return result; } });
await import("@techscaniq/api");
await import("@techscaniq/api/client");
process.stdout.write(JSON.stringify(loaded));
`;

const FORBIDDEN = [/\/node_modules\/openai\//, /\/@anthropic-ai\//, /\/@langchain\//, /\/playwright-core\//, /\/packages\/(ai|scanner)\//];

describe("contracts: a leaf contracts package", () => {
  it("the API loads neither the AI package, the scanner nor any model SDK or browser", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", PROBE], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const loaded = JSON.parse(stdout) as string[];
    expect(loaded.some((url) => url.includes("/packages/contracts/"))).toBe(true);
    expect(loaded.filter((url) => FORBIDDEN.some((pattern) => pattern.test(url)))).toEqual([]);
  });
});
