import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { SafeFetcher, type FetchError, type ResolvedAddress, type Resolver } from "./index";

async function refusal(fetcher: SafeFetcher, url: string): Promise<FetchError> {
  const outcome = await fetcher.fetch(url).then(
    () => null,
    (error: FetchError) => error,
  );
  if (!outcome) throw new Error(`expected ${url} to be refused`);
  return outcome;
}

const fixedResolver =
  (answers: Record<string, string[]>): Resolver =>
  async (hostname) => {
    const list = answers[hostname];
    if (!list) throw new Error(`ENOTFOUND ${hostname}`);
    return list.map((address): ResolvedAddress => ({ address, family: address.includes(":") ? 6 : 4 }));
  };

describe("SSRF: addresses refused before any connection", () => {
  const fetcher = new SafeFetcher({
    requestTimeoutMs: 5_000,
    resolver: fixedResolver({
      "intranet.example.com": ["10.0.0.5"],
      "metadata.example.com": ["169.254.169.254"],
      "mixed.example.com": ["93.184.216.34", "192.168.0.10"],
      "v6only.example.com": ["fd00:ec2::254"],
    }),
  });
  afterAll(() => fetcher.close());

  const vectors: [string, string][] = [
    ["http://127.0.0.1/", "blocked: 127.0.0.1 is a loopback address"],
    ["http://127.255.255.254:8080/admin", "blocked: 127.255.255.254 is a loopback address"],
    ["http://0.0.0.0/", "blocked: 0.0.0.0 is an unspecified address"],
    ["http://0/", "blocked: 0.0.0.0 is an unspecified address"],
    ["http://10.0.0.5/", "blocked: 10.0.0.5 is a private address"],
    ["http://172.16.0.1/", "blocked: 172.16.0.1 is a private address"],
    ["http://172.31.255.255/", "blocked: 172.31.255.255 is a private address"],
    ["http://192.168.1.1/", "blocked: 192.168.1.1 is a private address"],
    ["http://169.254.169.254/latest/meta-data/", "blocked: 169.254.169.254 is a link-local address"],
    ["http://100.64.0.1/", "blocked: 100.64.0.1 is a carrier-grade NAT (shared) address"],
    ["http://224.0.0.1/", "blocked: 224.0.0.1 is a multicast address"],
    ["http://255.255.255.255/", "blocked: 255.255.255.255 is a broadcast address"],
    ["http://240.0.0.1/", "blocked: 240.0.0.1 is a reserved address"],
    ["http://192.0.0.8/", "blocked: 192.0.0.8 is a reserved address"],
    ["http://198.18.0.1/", "blocked: 198.18.0.1 is a benchmarking address"],
    ["http://192.0.2.1/", "blocked: 192.0.2.1 is a documentation address"],
    ["http://203.0.113.9/", "blocked: 203.0.113.9 is a documentation address"],
    // Literal tricks: the URL parser normalises them, the check sees the real address.
    ["http://2130706433/", "blocked: 127.0.0.1 is a loopback address"],
    ["http://0177.0.0.1/", "blocked: 127.0.0.1 is a loopback address"],
    ["http://0x7f.1/", "blocked: 127.0.0.1 is a loopback address"],
    ["http://127.1/", "blocked: 127.0.0.1 is a loopback address"],
    ["http://0xa9fea9fe/", "blocked: 169.254.169.254 is a link-local address"],
    ["http://012.0.0.1/", "blocked: 10.0.0.1 is a private address"],
    ["http://[::1]/", "blocked: ::1 is a loopback address"],
    ["http://[::]/", "blocked: :: is an unspecified address"],
    ["http://[fc00::1]/", "blocked: fc00::1 is a unique-local (private) address"],
    ["http://[fd12:3456:789a::1]/", "blocked: fd12:3456:789a::1 is a unique-local (private) address"],
    ["http://[fe80::1]/", "blocked: fe80::1 is a link-local address"],
    ["http://[ff02::1]/", "blocked: ff02::1 is a multicast address"],
    ["http://[2001:db8::1]/", "blocked: 2001:db8::1 is a documentation address"],
    ["http://[::ffff:127.0.0.1]/", "blocked: ::ffff:7f00:1 embeds 127.0.0.1, a loopback address"],
    ["http://[::ffff:a9fe:a9fe]/", "blocked: ::ffff:a9fe:a9fe embeds 169.254.169.254, a link-local address"],
    ["http://[64:ff9b::a00:1]/", "blocked: 64:ff9b::a00:1 embeds 10.0.0.1, a private address"],
    [
      "http://[2002:a9fe:a9fe::1]/",
      "blocked: 2002:a9fe:a9fe::1 embeds 169.254.169.254, a link-local address",
    ],
    ["http://intranet.example.com/", "blocked: 10.0.0.5 is a private address"],
    ["http://metadata.example.com/latest/", "blocked: 169.254.169.254 is a link-local address"],
    ["http://mixed.example.com/", "blocked: 192.168.0.10 is a private address"],
    ["http://v6only.example.com/", "blocked: fd00:ec2::254 is a unique-local (private) address"],
    ["ftp://files.example.org/pub/", "unsupported scheme ftp:"],
    ["file:///etc/passwd", "unsupported scheme file:"],
    ["gopher://127.0.0.1:6379/_INFO", "unsupported scheme gopher:"],
    ["http://admin:secret@example.org/", "credentials in URL are not allowed"],
    ["http://user@example.org/", "credentials in URL are not allowed"],
  ];

  it.each(vectors)("refuses %s", async (url, message) => {
    const error = await refusal(fetcher, url);
    expect(error.name).toBe("FetchError");
    expect(error.message).toBe(message);
  });

  it("refuses localhost by its resolved address", async () => {
    const system = new SafeFetcher();
    const error = await refusal(system, "http://localhost:9/");
    expect(error.code).toBe("blocked");
    expect(error.message).toMatch(/^blocked: (127\.0\.0\.1|::1) is a loopback address$/);
    await system.close();
  });
});

describe("SSRF: redirects are checked on every hop", () => {
  let fixtures: FixtureServer;
  let fetcher: SafeFetcher;
  beforeAll(async () => {
    fixtures = await startFixtureServer({ sites: ["redirects"] });
    fetcher = new SafeFetcher({ allowPrivate: "loopback", requestTimeoutMs: 5_000 });
  });
  afterAll(async () => {
    await fetcher.close();
    await fixtures.close();
  });

  it("refuses a redirect to a private address", async () => {
    const error = await refusal(fetcher, fixtures.url("redirects", "/to-private"));
    expect(error.message).toBe("blocked: 10.0.0.1 is a private address");
    expect(error.url).toBe("http://10.0.0.1/admin");
  });

  it("refuses a redirect to the cloud metadata address", async () => {
    const error = await refusal(fetcher, fixtures.url("redirects", "/to-metadata"));
    expect(error.message).toBe("blocked: 169.254.169.254 is a link-local address");
  });

  it("refuses a redirect to another scheme", async () => {
    const error = await refusal(fetcher, fixtures.url("redirects", "/to-ftp"));
    expect(error.message).toBe("unsupported scheme ftp:");
  });

  it("follows an allowed chain and records each hop", async () => {
    const response = await fetcher.fetch(fixtures.url("redirects", "/old"));
    expect(response.status).toBe(200);
    expect(response.url).toBe(fixtures.url("redirects", "/final/"));
    expect(response.redirects.map((hop) => [hop.status, hop.location])).toEqual([
      [301, "/interim"],
      [302, fixtures.url("redirects", "/final/")],
    ]);
    expect(response.text).toContain("You followed two redirects");
  });
});

describe("SSRF: DNS rebinding cannot pass (the checked address is the one connected to)", () => {
  let server: Server;
  let port: number;
  let hits = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits += 1;
      res.setHeader("content-type", "text/plain");
      res.end("internal secret");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** A name whose answers change on every lookup, like a rebinding attacker's DNS server. */
  function rebindingResolver(answers: string[]) {
    const calls: string[] = [];
    const resolver: Resolver = async (hostname) => {
      const address = answers[Math.min(calls.length, answers.length - 1)]!;
      calls.push(hostname);
      return [{ address, family: 4 }];
    };
    return { resolver, calls };
  }

  it("a public first answer is pinned, so a later loopback answer is never connected to", async () => {
    hits = 0;
    const { resolver, calls } = rebindingResolver(["93.184.216.34", "127.0.0.1"]);
    const fetcher = new SafeFetcher({ resolver, allowPrivate: "loopback", requestTimeoutMs: 1_500 });
    const first = await refusal(fetcher, `http://rebind.attacker.test:${port}/secret`);
    const second = await refusal(fetcher, `http://rebind.attacker.test:${port}/secret`);
    await fetcher.close();
    expect(["network", "timeout"]).toContain(first.code);
    expect(["network", "timeout"]).toContain(second.code);
    expect(calls).toEqual(["rebind.attacker.test"]);
    expect(hits).toBe(0);
  });

  it("an allowed first answer is pinned, so a later private answer changes nothing", async () => {
    hits = 0;
    const { resolver, calls } = rebindingResolver(["127.0.0.1", "10.0.0.1"]);
    const fetcher = new SafeFetcher({ resolver, allowPrivate: "loopback", requestTimeoutMs: 5_000 });
    const first = await fetcher.fetch(`http://rebind.attacker.test:${port}/a`);
    const second = await fetcher.fetch(`http://rebind.attacker.test:${port}/b`);
    await fetcher.close();
    expect(first.address).toBe("127.0.0.1");
    expect(second.address).toBe("127.0.0.1");
    expect(second.text).toBe("internal secret");
    expect(calls).toEqual(["rebind.attacker.test"]);
    expect(hits).toBe(2);
  });

  it("a name resolving to a forbidden address is refused even when the connection would succeed", async () => {
    hits = 0;
    const { resolver } = rebindingResolver(["127.0.0.1"]);
    const fetcher = new SafeFetcher({ resolver, requestTimeoutMs: 5_000 });
    const error = await refusal(fetcher, `http://rebind.attacker.test:${port}/`);
    await fetcher.close();
    expect(error.message).toBe("blocked: 127.0.0.1 is a loopback address");
    expect(hits).toBe(0);
  });
});

describe("allowPrivate lets loopback through and changes nothing else", () => {
  let fixtures: FixtureServer;
  beforeAll(async () => {
    fixtures = await startFixtureServer({ sites: ["wordpress-like", "limits", "redirects"] });
  });
  afterAll(() => fixtures.close());

  it("refuses the loopback fixture by default", async () => {
    const fetcher = new SafeFetcher();
    const error = await refusal(fetcher, fixtures.url("wordpress-like"));
    expect(error.message).toBe("blocked: 127.0.0.1 is a loopback address");
    await fetcher.close();
  });

  it.each([true, "loopback"] as const)(
    "allowPrivate=%s fetches loopback, still refuses metadata, multicast, 0.0.0.0",
    async (mode) => {
      const fetcher = new SafeFetcher({ allowPrivate: mode });
      const page = await fetcher.fetch(fixtures.url("wordpress-like"));
      expect(page.status).toBe(200);
      expect(page.text).toContain('content="WordPress 6.4.2"');
      expect((await refusal(fetcher, "http://169.254.169.254/")).message).toBe(
        "blocked: 169.254.169.254 is a link-local address",
      );
      expect((await refusal(fetcher, "http://[ff02::1]/")).message).toBe(
        "blocked: ff02::1 is a multicast address",
      );
      expect((await refusal(fetcher, "http://0.0.0.0/")).message).toBe(
        "blocked: 0.0.0.0 is an unspecified address",
      );
      expect((await refusal(fetcher, "ftp://127.0.0.1/")).message).toBe("unsupported scheme ftp:");
      await fetcher.close();
    },
  );

  it("limits still apply with allowPrivate", async () => {
    const fetcher = new SafeFetcher({ allowPrivate: true });
    expect((await refusal(fetcher, fixtures.url("limits", "/big"))).message).toBe("response over 5 MB");
    expect((await refusal(fetcher, fixtures.url("redirects", "/hop/1"))).message).toBe(
      "too many redirects (10)",
    );
    await fetcher.close();
  });

  it("only allowPrivate=true admits private networks", async () => {
    const loopbackOnly = new SafeFetcher({ allowPrivate: "loopback" });
    expect((await refusal(loopbackOnly, fixtures.url("redirects", "/to-private"))).message).toBe(
      "blocked: 10.0.0.1 is a private address",
    );
    await loopbackOnly.close();
  });
});
