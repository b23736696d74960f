import { createSocket, type Socket } from "node:dgram";
import { Resolver } from "node:dns/promises";
import * as dnsPacket from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectDns } from "./dns";

type Answer = dnsPacket.Answer;

/** A minimal authoritative DNS server on 127.0.0.1 answering from a fixed zone. */
async function startDnsServer(
  zone: Record<string, Answer[]>,
): Promise<{ port: number; close: () => Promise<void> }> {
  const socket: Socket = createSocket("udp4");
  socket.on("message", (message, remote) => {
    const request = dnsPacket.decode(message);
    const question = request.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase();
    const known = Object.keys(zone).some((n) => n === name);
    const answers = (zone[name] ?? []).filter((a) => a.type === question.type);
    const response = dnsPacket.encode({
      type: "response",
      id: request.id,
      // NXDOMAIN (rcode 3) for names outside the zone
      flags: dnsPacket.AUTHORITATIVE_ANSWER | (known ? 0 : 3),
      questions: request.questions,
      answers,
    });
    socket.send(response, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    port: socket.address().port,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

const ZONE: Record<string, Answer[]> = {
  "example.test": [
    { type: "A", name: "example.test", ttl: 60, data: "192.0.2.10" },
    { type: "A", name: "example.test", ttl: 60, data: "192.0.2.11" },
    { type: "AAAA", name: "example.test", ttl: 60, data: "2001:db8::10" },
    { type: "MX", name: "example.test", ttl: 60, data: { preference: 20, exchange: "mx2.example.test" } },
    { type: "MX", name: "example.test", ttl: 60, data: { preference: 10, exchange: "mx1.example.test" } },
    { type: "TXT", name: "example.test", ttl: 60, data: ["v=spf1 include:_spf.mail.test ", "-all"] },
    { type: "TXT", name: "example.test", ttl: 60, data: "google-site-verification=abc" },
    {
      type: "CAA",
      name: "example.test",
      ttl: 60,
      data: { flags: 0, tag: "issue", value: "letsencrypt.org" },
    },
    {
      type: "CAA",
      name: "example.test",
      ttl: 60,
      data: { flags: 128, tag: "iodef", value: "mailto:sec@example.test" },
    },
    { type: "NS", name: "example.test", ttl: 60, data: "ns1.example.test" },
  ],
  "_dmarc.example.test": [
    {
      type: "TXT",
      name: "_dmarc.example.test",
      ttl: 60,
      data: "v=DMARC1; p=reject; rua=mailto:d@example.test",
    },
  ],
  "www.example.test": [{ type: "CNAME", name: "www.example.test", ttl: 60, data: "example.test" }],
  "bare.test": [{ type: "A", name: "bare.test", ttl: 60, data: "192.0.2.20" }],
};

describe("collectDns against a DNS server on 127.0.0.1", () => {
  let server: Awaited<ReturnType<typeof startDnsServer>>;
  const resolver = () => {
    const r = new Resolver({ timeout: 1000, tries: 1 });
    r.setServers([`127.0.0.1:${server.port}`]);
    return r;
  };
  beforeAll(async () => {
    server = await startDnsServer(ZONE);
  });
  afterAll(() => server.close());

  it("collects addresses, mail, SPF, DMARC, CAA and NS", async () => {
    const info = await collectDns("Example.test", { resolver: resolver() });
    expect(info).toEqual({
      host: "example.test",
      a: ["192.0.2.10", "192.0.2.11"],
      aaaa: ["2001:db8::10"],
      mx: [
        { exchange: "mx1.example.test", priority: 10 },
        { exchange: "mx2.example.test", priority: 20 },
      ],
      txt: ["v=spf1 include:_spf.mail.test -all", "google-site-verification=abc"],
      spf: "v=spf1 include:_spf.mail.test -all",
      dmarc: "v=DMARC1; p=reject; rua=mailto:d@example.test",
      caa: [
        { critical: 0, tag: "issue", value: "letsencrypt.org" },
        { critical: 128, tag: "iodef", value: "mailto:sec@example.test" },
      ],
      ns: ["ns1.example.test"],
      cname: [],
      errors: [],
    });
  });

  it("follows a CNAME", async () => {
    const info = await collectDns("www.example.test", { resolver: resolver() });
    expect(info.cname).toEqual(["example.test"]);
  });

  it("a host without mail records has no MX, SPF or DMARC, and that is not an error", async () => {
    const info = await collectDns("bare.test", { resolver: resolver() });
    expect(info).toMatchObject({ a: ["192.0.2.20"], mx: [], spf: null, dmarc: null, caa: [], errors: [] });
  });

  it("records a missing host as an error instead of throwing", async () => {
    const info = await collectDns("missing.test", { resolver: resolver() });
    expect(info.a).toEqual([]);
    expect(info.errors).toEqual([expect.stringMatching(/^A: ENOTFOUND /)]);
  });

  it("bounds the time when the server does not answer", async () => {
    const silent = createSocket("udp4");
    await new Promise<void>((resolve) => silent.bind(0, "127.0.0.1", resolve));
    const r = new Resolver({ timeout: 5000, tries: 1 });
    r.setServers([`127.0.0.1:${silent.address().port}`]);
    const info = await collectDns("example.test", { resolver: r, timeoutMs: 300 });
    r.cancel();
    silent.close();
    expect(info.errors).toContain("A: ETIMEOUT timeout after 0.3 s");
    expect(info.errors).toHaveLength(8);
  });

  it("rejects input that is not a host name", async () => {
    await expect(collectDns("http://example.test/")).rejects.toThrow(/collectDns: host must be a DNS name/);
    await expect(collectDns("")).rejects.toThrow("collectDns: host is empty");
  });
});
