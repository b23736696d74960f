/**
 * Records a live corpus application for the fast test subset: a proxy on 127.0.0.1 in front of the
 * app keeps every exchange the scan makes (crawler, browser, security probes) and writes them as a
 * replayable site (fixtures/recorded/<app>, served by `startRecordedSite`). Bodies are the app's real
 * bytes; only its origin is replaced by a token, as the replay runs on another port.
 */
import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { type IncomingHttpHeaders, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { HOST_TOKEN, ORIGIN_TOKEN, type RecordedResponse, type RecordedSiteFile } from "@techscaniq/fixtures";

/** Hop-by-hop and length headers: the replay server sets its own. */
const DROPPED = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);
const TEXT_TYPE = /^(text\/|application\/(javascript|json|xml|xhtml\+xml|manifest\+json)|image\/svg)/;

interface Exchange extends Omit<RecordedResponse, "body"> {
  bytes: Buffer;
}

export interface RecordingProxy {
  origin: string;
  /** Write what was recorded to `dir` (replacing it). */
  save(dir: string, recorded: string): void;
  close(): Promise<void>;
}

export async function startRecordingProxy(upstream: string): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const exchanges = new Map<string, Exchange>();
  const server = createServer((req, res) => {
    const headers: IncomingHttpHeaders = { ...req.headers };
    // Identity bodies, so what is recorded is the bytes detection reads.
    delete headers["accept-encoding"];
    const upstreamRequest = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (upstreamResponse) => {
        const chunks: Buffer[] = [];
        upstreamResponse.on("data", (chunk: Buffer) => chunks.push(chunk));
        upstreamResponse.on("end", () => {
          const bytes = Buffer.concat(chunks);
          const raw = upstreamResponse.rawHeaders;
          const pairs: [string, string][] = [];
          for (let i = 0; i < raw.length; i += 2)
            if (!DROPPED.has(raw[i]!.toLowerCase())) pairs.push([raw[i]!, raw[i + 1]!]);
          const key = `${req.method} ${req.url}`;
          if (!exchanges.has(key))
            exchanges.set(key, {
              method: req.method ?? "GET",
              url: req.url ?? "/",
              status: upstreamResponse.statusCode ?? 502,
              headers: pairs,
              text: TEXT_TYPE.test(String(upstreamResponse.headers["content-type"] ?? "")),
              bytes,
            });
          res.writeHead(upstreamResponse.statusCode ?? 502, pairs.flat());
          res.end(bytes);
        });
      },
    );
    upstreamRequest.on("error", (error) => res.writeHead(502).end(String(error)));
    req.pipe(upstreamRequest);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const host = origin.slice("http://".length);
  // The app may name the origin it was asked for (the proxy's) or the one it listens on.
  const tokenize = (text: string) =>
    [origin, target.origin]
      .reduce((out, name) => out.replaceAll(name, ORIGIN_TOKEN), text)
      .replaceAll(host, HOST_TOKEN)
      .replaceAll(target.host, HOST_TOKEN);
  return {
    origin,
    save(dir, recorded) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(path.join(dir, "bodies"), { recursive: true });
      const responses: RecordedResponse[] = [...exchanges.values()].map(({ bytes, ...exchange }) => {
        const body = exchange.text ? Buffer.from(tokenize(bytes.toString("utf8"))) : bytes;
        const name = createHash("sha256").update(body).digest("hex").slice(0, 16);
        writeFileSync(path.join(dir, "bodies", name), body);
        return {
          ...exchange,
          headers: exchange.headers.map(([header, value]) => [header, tokenize(value)]),
          body: name,
        };
      });
      const file: RecordedSiteFile = { recorded, responses };
      writeFileSync(path.join(dir, "responses.json"), JSON.stringify(file, null, 2) + "\n");
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
