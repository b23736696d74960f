import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRetireRepository } from "./repository";

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, "..", "..", "scripts", "refresh-retire.ts");
const REPOSITORY = {
  widget: { vulnerabilities: [], extractors: { filename: ["widget-(§§version§§)\\.js"] } },
};

describe("refresh-retire", () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === "/repo.json") res.end(JSON.stringify(REPOSITORY));
      else res.end('{"broken": true}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("writes a valid download to the cache, which then takes precedence", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "retire-refresh-")), "jsrepository.json");
    const { stdout } = await run(process.execPath, [
      "--import",
      "tsx",
      SCRIPT,
      "--url",
      `${origin}/repo.json`,
      "--out",
      out,
    ]);
    expect(stdout).toContain(`1 libraries written to ${out}`);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(REPOSITORY);
    expect(Object.keys(loadRetireRepository({ cacheFile: out }).repository)).toEqual(["widget"]);
  });

  it("refuses an invalid download and leaves no cache", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "retire-refresh-")), "jsrepository.json");
    const failure = await run(process.execPath, [
      "--import",
      "tsx",
      SCRIPT,
      "--url",
      `${origin}/other.json`,
      "--out",
      out,
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining("is invalid at broken") });
    expect(existsSync(out)).toBe(false);
  });
});
