import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { PEER_ADDRESS_HEADER } from "@techscaniq/api/client-address";
import { describe, expect, it } from "vitest";
import { stampPeerAddresses } from "./peer-address";

describe("trust: sign-in throttling trusts X-Forwarded-For (web server)", () => {
  it("stamps the socket's peer on every request, over whatever the client sent", async () => {
    stampPeerAddresses();
    const server = createServer((request, response) =>
      response.end(String(request.headers[PEER_ADDRESS_HEADER])),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        headers: { [PEER_ADDRESS_HEADER]: "203.0.113.66", "x-forwarded-for": "203.0.113.66" },
      });
      expect(await response.text()).toBe("127.0.0.1");
    } finally {
      server.close();
    }
  });
});
