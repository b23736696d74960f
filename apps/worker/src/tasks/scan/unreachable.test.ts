import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type RequestListener, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadWorkerEnv } from "../../env";
import { createLogger } from "../../logger";
import { startWorker } from "../../worker";
import { followScan, noJobsLeft, startScanTestBed, type ScanTestBed } from "../../testing/scan";

let bed: ScanTestBed;
let worker: Awaited<ReturnType<typeof startWorker>>;
const servers: Server[] = [];

/**
 * 20 s leave room for the first retry (5 s after the first try) but not for
 * the second (30 s later): a site that keeps failing ends at the deadline.
 */
const DEADLINE_SECONDS = "20";
const SCAN_TIMEOUT_MS = 180_000;

beforeAll(async () => {
  bed = await startScanTestBed();
  const env = loadWorkerEnv({
    ...process.env,
    // The tests scan 127.0.0.1 fixtures: the operator's switch.
    TECHSCANIQ_ALLOW_PRIVATE: "1",
    DATABASE_URL: bed.database.url,
    WORKER_HEALTH_PORT: "0",
    WORKER_ID: `unreachable-test-${process.pid}`,
    SCAN_DEADLINE_SECONDS: DEADLINE_SECONDS,
  });
  worker = await startWorker(env, { logger: createLogger("silent", env.WORKER_ID) });
});

afterAll(async () => {
  await worker?.stop();
  const { closeReportCheckpointers } = await import("../report/index");
  await closeReportCheckpointers();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await bed?.close();
});

function listen(server: Server): Promise<string> {
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(String((server.address() as AddressInfo).port))),
  );
}

const page = "<!doctype html><html><head><title>Up</title></head><body>up</body></html>";

/** A site whose answers come from `statuses` in turn (the last one repeats). */
function siteAnswering(...statuses: number[]): Promise<string> {
  let served = 0;
  const handler: RequestListener = (req, res) => {
    const status = req.url === "/" ? statuses[Math.min(served++, statuses.length - 1)]! : 404;
    res.writeHead(status, { "content-type": "text/html; charset=utf-8" });
    res.end(page);
  };
  return listen(createServer(handler));
}

/** A self-signed certificate for 127.0.0.1: a TLS server no client trusts. */
async function selfSignedTlsSite(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "tsiq-tls-"));
  try {
    const [key, cert] = [path.join(dir, "key.pem"), path.join(dir, "cert.pem")];
    await promisify(execFile)("openssl", [
      ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"],
      ...["-keyout", key, "-out", cert],
    ]);
    const server = createTlsServer({ key: await readFile(key), cert: await readFile(cert) }, (_req, res) =>
      res.end(page),
    );
    return await listen(server as unknown as Server);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function closedPort(): Promise<string> {
  const server = createServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
  await new Promise((resolve) => server.close(resolve));
  return String(port);
}

/** Scans `url`, returns the event types and the scan as scan.get shows it at the end. */
async function scanOf(url: string) {
  const created = await bed.client.scan.create.mutate({ url, options: { maxPages: 2, renderCount: 0 } });
  // Progress events come and go with timing; the lifecycle is what counts.
  const events = (await followScan(bed.client, created.id)).filter((event) => event.type !== "scan.progress");
  const scan = await bed.client.scan.get.query({ scanId: created.id });
  expect(await noJobsLeft(bed.database.db, created.id)).toBe(true);
  return { events, scan };
}

const failedAtOnce = ["scan.queued", "scan.started", "scan.stage_started", "scan.failed"];

describe("trust: an unreachable target fails at once naming the cause, or retries visibly", () => {
  it(
    "a refused connection fails at once",
    async () => {
      const port = await closedPort();
      const { events, scan } = await scanOf(`http://127.0.0.1:${port}/`);
      expect(events.map((event) => event.type)).toEqual(failedAtOnce);
      expect(scan).toMatchObject({ status: "failed", attempts: 1, retry: null });
      expect(scan.error).toEqual({
        code: "refused_target",
        message: `connection refused: nothing accepts connections at 127.0.0.1:${port}`,
      });
    },
    SCAN_TIMEOUT_MS,
  );

  it(
    "a name that does not resolve fails at once",
    async () => {
      const { events, scan } = await scanOf("http://nowhere.invalid/");
      expect(events.map((event) => event.type)).toEqual(failedAtOnce);
      expect(scan.error?.code).toBe("dns_target");
      expect(scan.error?.message).toMatch(/^the name nowhere\.invalid does not resolve \(cannot resolve/);
    },
    SCAN_TIMEOUT_MS,
  );

  it(
    "a TLS server with a certificate no one trusts fails at once",
    async () => {
      const port = await selfSignedTlsSite();
      const { events, scan } = await scanOf(`https://127.0.0.1:${port}/`);
      expect(events.map((event) => event.type)).toEqual(failedAtOnce);
      expect(scan.error?.code).toBe("tls_target");
      expect(scan.error?.message).toBe(
        `TLS failure at 127.0.0.1:${port}: self-signed certificate (the certificate or handshake is refused)`,
      );
    },
    SCAN_TIMEOUT_MS,
  );

  it(
    "a start URL answering 404 fails at once",
    async () => {
      const port = await siteAnswering(404);
      const { events, scan } = await scanOf(`http://127.0.0.1:${port}/`);
      expect(events.map((event) => event.type)).toEqual(failedAtOnce);
      expect(scan.error).toEqual({
        code: "http_status_target",
        message: `the start page http://127.0.0.1:${port}/ answered HTTP 404`,
      });
    },
    SCAN_TIMEOUT_MS,
  );

  it(
    "a start URL answering 503 then 200 shows 'retrying (2/3)' through scan.get and the events, then succeeds",
    async () => {
      const port = await siteAnswering(503, 200);
      const created = await bed.client.scan.create.mutate({
        url: `http://127.0.0.1:${port}/`,
        options: { maxPages: 2, renderCount: 0 },
      });
      let whileWaiting: Awaited<ReturnType<typeof bed.client.scan.get.query>> | undefined;
      const events = await followScan(bed.client, created.id, async (event) => {
        if (event.type === "scan.retrying")
          whileWaiting = await bed.client.scan.get.query({ scanId: created.id });
      });

      const retrying = events.find((event) => event.type === "scan.retrying");
      const cause = `the start page http://127.0.0.1:${port}/ answered HTTP 503`;
      expect(retrying?.data).toMatchObject({ stage: "crawl", attempt: 2, maxAttempts: 3, error: cause });
      expect(whileWaiting?.retry).toEqual({
        attempt: 2,
        maxAttempts: 3,
        reason: cause,
        nextTryAt: retrying?.data.nextTryAt,
      });
      expect(new Date(String(retrying?.data.nextTryAt)).toISOString()).toBe(retrying?.data.nextTryAt);
      expect(events.at(-1)?.type).toBe("scan.completed");
      const done = await bed.client.scan.get.query({ scanId: created.id });
      expect(done).toMatchObject({ status: "succeeded", retry: null });
      expect(await noJobsLeft(bed.database.db, created.id)).toBe(true);
    },
    SCAN_TIMEOUT_MS,
  );

  it(
    "a start URL that keeps answering 503 gives up at the scan deadline",
    async () => {
      const port = await siteAnswering(503);
      const { events, scan } = await scanOf(`http://127.0.0.1:${port}/`);
      expect(events.filter((event) => event.type === "scan.retrying")).toHaveLength(1);
      expect(scan).toMatchObject({ status: "failed", retry: null });
      expect(scan.error?.code).toBe("deadline_exceeded");
      expect(scan.error?.message).toBe(
        `crawl failed and the scan deadline of 20 s leaves no time for another try: ` +
          `the start page http://127.0.0.1:${port}/ answered HTTP 503`,
      );
    },
    SCAN_TIMEOUT_MS,
  );
});
