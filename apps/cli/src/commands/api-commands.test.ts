import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startTestApiServer, type TestApiServer } from "@techscaniq/api/testing";
import { sql } from "@techscaniq/db";
import { createApiKey } from "@techscaniq/api";
import {
  createTestDatabase,
  createTestTenant,
  createTestUser,
  waitUntil,
  type TestDatabase,
} from "@techscaniq/db/testing";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runReport, type ReportIo } from "./report";
import { runScan, type ScanIo } from "./scan";

const workerMain = fileURLToPath(new URL("../../../worker/src/main.ts", import.meta.url));

let database: TestDatabase;
let api: TestApiServer;
let fixtures: FixtureServer;
let worker: ChildProcess;
let dataDir: string;
let apiKey: string;
let baseUrl: string;
let finishedScanId: string;

function captureIo(): ScanIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (text) => out.push(text), stderr: (text) => err.push(text), interactive: false };
}

async function scanCount(): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from public.scans`.execute(
    database.db.kysely,
  );
  return rows[0]!.n;
}

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), "tsiq-cli-scan-"));
  // The real worker, as `techscaniq up` runs it; it also installs graphile-worker's schema.
  worker = spawn(process.execPath, ["--import", "tsx", workerMain], {
    cwd: path.dirname(path.dirname(workerMain)),
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      WORKER_HEALTH_PORT: "0",
      WORKER_ID: `cli-test-${process.pid}`,
      TECHSCANIQ_ALLOW_PRIVATE: "1",
      TECHSCANIQ_DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
    },
    stdio: "ignore",
  });
  await waitUntil(
    async () => {
      const { rows } = await sql<{
        ready: boolean;
      }>`select to_regclass('graphile_worker._private_jobs') is not null as ready`.execute(
        database.db.kysely,
      );
      return rows[0]!.ready;
    },
    { what: "graphile-worker's schema", timeoutMs: 100_000 },
  );
  // The API reads the exports the worker stored: both use the same data directory.
  process.env.TECHSCANIQ_DATA_DIR = dataDir;
  api = await startTestApiServer(database.db);
  baseUrl = api.url.replace(/\/api\/trpc$/, "");
  fixtures = await startFixtureServer({ sites: ["wordpress-like"] });
  const owner = await createTestUser(database.db);
  const tenant = await createTestTenant(database.db, owner.id);
  // A real key, as `techscaniq admin create-api-key` makes it.
  apiKey = (
    await createApiKey(database.db, { tenantSlug: tenant.slug, name: "cli test", scopes: ["read", "write"] })
  ).secret;
}, 120_000);

afterAll(async () => {
  worker.kill("SIGTERM");
  if (worker.exitCode === null) await new Promise((resolve) => worker.once("exit", resolve));
  await fixtures.close();
  await api.close();
  await database.drop();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

describe("techscaniq scan", () => {
  it("needs an API key", async () => {
    const io = captureIo();
    expect(await runScan("https://example.com", {}, { url: baseUrl, apiKey: undefined }, io)).toBe(2);
    expect(io.err.join("")).toMatch(/set TECHSCANIQ_API_KEY/);
  });

  it("reports bad input in one line and queues nothing", async () => {
    const before = await scanCount();
    const io = captureIo();
    expect(await runScan("ftp://example.com/", {}, { url: baseUrl, apiKey }, io)).toBe(1);
    expect(io.err.join("")).toBe("techscaniq scan: url: url must use http or https, not ftp\n");
    expect(
      await runScan(
        "https://example.com",
        { thesis: "/nonexistent/thesis.txt" },
        { url: baseUrl, apiKey },
        io,
      ),
    ).toBe(2);
    expect(io.err.at(-1)).toMatch(/cannot read the thesis: ENOENT/);
    expect(await runScan("https://example.com", { maxPages: "lots" }, { url: baseUrl, apiKey }, io)).toBe(2);
    expect(io.err.at(-1)).toBe("techscaniq scan: --max-pages must be a number\n");
    expect(await scanCount()).toBe(before);
  });

  it("without --wait prints the new scan's id", async () => {
    const io = captureIo();
    expect(await runScan(fixtures.url("wordpress-like"), { maxPages: 2 }, { url: baseUrl, apiKey }, io)).toBe(
      0,
    );
    expect(io.out.join("")).toMatch(/^[0-9a-f-]{36}\n$/);
  });

  it("--wait --json follows the progress on stderr and prints scan.get with its findings", async () => {
    const thesisDir = await mkdtemp(path.join(tmpdir(), "tsiq-thesis-"));
    const thesisFile = path.join(thesisDir, "thesis.md");
    await writeFile(thesisFile, "Consolidate regional publishers onto one CMS.\n");
    const io = captureIo();
    const code = await runScan(
      fixtures.url("wordpress-like"),
      { wait: true, json: true, thesis: thesisFile, maxPages: 6 },
      { url: baseUrl, apiKey },
      io,
    );
    await rm(thesisDir, { recursive: true, force: true });

    expect(code, io.err.join("")).toBe(0);
    const printed = JSON.parse(io.out.join("")) as {
      status: string;
      thesis: string;
      findings: { kind: string; name: string }[];
    };
    expect(printed.status).toBe("succeeded");
    expect(printed.thesis).toBe("Consolidate regional publishers onto one CMS.");
    expect(
      printed.findings.some((finding) => finding.kind === "technology" && finding.name === "WordPress"),
    ).toBe(true);
    const progress = io.err.join("");
    expect(progress).toMatch(/\[\.{30}\]\s+0% {2}queued/);
    expect(progress).toMatch(/\[#{30}\] 100% store completed\n$/);
    finishedScanId = (printed as unknown as { id: string }).id;
  }, 180_000);

  it("--wait prints the findings as a table, an inferred layer marked with what it follows from", async () => {
    const io = captureIo();
    const code = await runScan(
      fixtures.url("wordpress-like"),
      { wait: true, maxPages: 2 },
      { url: baseUrl, apiKey },
      io,
    );
    expect(code, io.err.join("")).toBe(0);
    const out = io.out.join("");
    expect(out).toMatch(/^ {2}WordPress 6\.4\.2 {2}\(CMS, 100%\)/m);
    expect(out).toMatch(/^ {2}MySQL {2}\(inferred from WordPress, Databases, \d+%\)/m);
  }, 180_000);

  it("trust: unreachable target — --wait says 'retrying (2/3): <cause>, next try at …'", async () => {
    // The start page answers 503 once, then 200: the crawl waits for its second try.
    let startPageAnswers = 0;
    const site = createServer((req, res) => {
      const status = req.url !== "/" ? 404 : startPageAnswers++ === 0 ? 503 : 200;
      res.writeHead(status, { "content-type": "text/html; charset=utf-8" });
      res.end("<!doctype html><html><head><title>Flaky</title></head><body>back</body></html>");
    });
    const port = await new Promise<number>((resolve) =>
      site.listen(0, "127.0.0.1", () => resolve((site.address() as AddressInfo).port)),
    );
    const io = captureIo();
    const connection = { url: baseUrl, apiKey };
    const code = await runScan(`http://127.0.0.1:${port}/`, { wait: true, maxPages: 1 }, connection, io);
    await new Promise((resolve) => site.close(resolve));

    expect(code, io.err.join("")).toBe(0);
    const cause = `the start page http://127.0.0.1:${port}/ answered HTTP 503`;
    const retryLine = io.err.find((line) => line.startsWith("retrying"));
    expect(retryLine?.startsWith(`retrying (2/3): ${cause}, next try at `), io.err.join("")).toBe(true);
  }, 180_000);
});

describe("techscaniq report", () => {
  function captureReportIo(): ReportIo & { bytes: Buffer[]; err: string[] } {
    const bytes: Buffer[] = [];
    const err: string[] = [];
    return {
      bytes,
      err,
      stdout: (body) => bytes.push(body),
      stderr: (text) => err.push(text),
      stdoutIsTerminal: false,
    };
  }

  it("refuses bad input in one line", async () => {
    const io = captureReportIo();
    expect(await runReport("not-a-uuid", {}, { url: baseUrl, apiKey }, io)).toBe(2);
    expect(await runReport(finishedScanId, { format: "docx" as "md" }, { url: baseUrl, apiKey }, io)).toBe(2);
    expect(await runReport(finishedScanId, {}, { url: baseUrl, apiKey: undefined }, io)).toBe(2);
    expect(io.err).toEqual([
      "techscaniq report: <scanId> must be a scan id (uuid)\n",
      "techscaniq report: --format must be one of json, md, html, pdf\n",
      expect.stringMatching(/set TECHSCANIQ_API_KEY/),
    ]);
    expect(await runReport("00000000-0000-4000-8000-000000000000", {}, { url: baseUrl, apiKey }, io)).toBe(1);
    expect(io.err.at(-1)).toBe(
      "techscaniq report: Scan 00000000-0000-4000-8000-000000000000 has no report in this tenant\n",
    );
  });

  /** The worker writes the report, then its exports (PDF last), once the scan succeeded: retry until stored. */
  async function exportWhenStored(flags: Parameters<typeof runReport>[1]) {
    let io = captureReportIo();
    for (let attempt = 0; attempt < 150; attempt++) {
      io = captureReportIo();
      if ((await runReport(finishedScanId, flags, { url: baseUrl, apiKey }, io)) === 0) return io;
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    throw new Error(`no ${flags.format} export: ${io.err.join("")}`);
  }

  it("exports the finished scan's report as JSON to stdout and as PDF to a file", async () => {
    const json = JSON.parse(
      Buffer.concat((await exportWhenStored({ format: "json" })).bytes).toString("utf8"),
    ) as {
      claims: { evidence: string[] }[];
      evidence: { id: string }[];
    };
    const cited = new Set(json.evidence.map((item) => item.id));
    expect(json.claims.length).toBeGreaterThan(0);
    for (const claim of json.claims) for (const id of claim.evidence) expect(cited).toContain(id);

    const outDir = await mkdtemp(path.join(tmpdir(), "tsiq-report-"));
    try {
      const out = path.join(outDir, "report.pdf");
      const io = await exportWhenStored({ format: "pdf", out });
      expect((await readFile(out)).subarray(0, 5).toString("latin1")).toBe("%PDF-");
      expect(io.err.join("")).toMatch(/^wrote .*\.pdf \(version 1, \d+ bytes\)/);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  }, 120_000);
});
