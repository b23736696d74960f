import { createServer, type Server } from "node:tls";
import type { AddressInfo } from "node:net";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectTls } from "./tls";

describe("collectTls against a real TLS server on 127.0.0.1", () => {
  let server: Server;
  let port: number;
  let cert: string;
  beforeAll(async () => {
    const notBefore = new Date(Date.now() - 86_400_000);
    const pems = await generate([{ name: "commonName", value: "fixture.test" }], {
      keySize: 2048,
      algorithm: "sha256",
      notBeforeDate: notBefore,
      notAfterDate: new Date(notBefore.getTime() + 91 * 86_400_000),
      extensions: [
        {
          name: "subjectAltName",
          altNames: [
            { type: 2, value: "fixture.test" },
            { type: 7, ip: "127.0.0.1" },
          ],
        },
      ],
    });
    cert = pems.cert;
    server = createServer({ key: pems.private, cert: pems.cert }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("describes a self-signed certificate and says it did not verify", async () => {
    const info = await collectTls("127.0.0.1", port, { allowPrivate: "loopback" });
    expect(info).toMatchObject({
      host: "127.0.0.1",
      protocol: "TLSv1.3",
      subject: "CN=fixture.test",
      issuer: "CN=fixture.test",
      subjectAltNames: ["fixture.test", "127.0.0.1"],
      authorized: false,
      authorizationError: "DEPTH_ZERO_SELF_SIGNED_CERT",
    });
    expect(info.cipher).toMatch(/^TLS_/);
    expect(info.daysRemaining).toBe(89);
    expect(new Date(info.validTo!).getTime() - new Date(info.validFrom!).getTime()).toBe(91 * 86_400_000);
  });

  it("verifies when the certificate is trusted, by name through the resolver", async () => {
    const resolver = async () => [{ address: "127.0.0.1", family: 4 as const }];
    const info = await collectTls("fixture.test", port, { allowPrivate: "loopback", resolver, ca: [cert] });
    expect(info).toMatchObject({ host: "fixture.test", authorized: true, authorizationError: null });
  });

  it("reports a name that the certificate does not cover", async () => {
    const resolver = async () => [{ address: "127.0.0.1", family: 4 as const }];
    const info = await collectTls("other.test", port, { allowPrivate: "loopback", resolver, ca: [cert] });
    expect(info).toMatchObject({ authorized: false, authorizationError: "ERR_TLS_CERT_ALTNAME_INVALID" });
  });

  it("refuses loopback and private addresses by default, also via DNS", async () => {
    await expect(collectTls("127.0.0.1", port)).rejects.toThrow("blocked: 127.0.0.1 is a loopback address");
    const resolver = async () => [{ address: "10.0.0.5", family: 4 as const }];
    await expect(collectTls("intranet.test", port, { allowPrivate: "loopback", resolver })).rejects.toThrow(
      /blocked: 10\.0\.0\.5 is a private/,
    );
  });

  it("rejects bad input with a clear message", async () => {
    await expect(collectTls("", 443)).rejects.toThrow("collectTls: host is empty");
    await expect(collectTls("a.test", 70000)).rejects.toThrow("port must be 1–65535");
    await expect(collectTls("a b", 443)).rejects.toThrow(/host may hold only/);
  });

  it("reports a closed port", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(collectTls("127.0.0.1", closedPort, { allowPrivate: "loopback" })).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});
