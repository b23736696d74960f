import { describe, expect, it } from "vitest";
import { clientAddressFrom, PEER_ADDRESS_HEADER } from "./client-address";

describe("trust: sign-in throttling trusts X-Forwarded-For (client address)", () => {
  const headers = (values: Record<string, string>) => new Headers(values);

  it("without trusted proxies, takes the socket's peer and ignores X-Forwarded-For", () => {
    expect(
      clientAddressFrom(
        headers({ [PEER_ADDRESS_HEADER]: "192.0.2.10", "x-forwarded-for": "203.0.113.5" }),
        0,
      ),
    ).toBe("192.0.2.10");
    expect(clientAddressFrom(headers({ "x-forwarded-for": "203.0.113.5" }), 0)).toBeNull();
  });

  it("behind N trusted proxies, takes the entry the outermost one appended, never the client's own claims", () => {
    const forwarded = {
      [PEER_ADDRESS_HEADER]: "10.0.0.2",
      "x-forwarded-for": "6.6.6.6, 198.51.100.4, 10.0.0.1",
    };
    expect(clientAddressFrom(headers(forwarded), 1)).toBe("10.0.0.1");
    expect(clientAddressFrom(headers(forwarded), 2)).toBe("198.51.100.4");
    // Fewer entries than proxies, or garbage: the socket's peer.
    expect(
      clientAddressFrom(headers({ [PEER_ADDRESS_HEADER]: "10.0.0.2", "x-forwarded-for": "not-an-ip" }), 1),
    ).toBe("10.0.0.2");
    expect(clientAddressFrom(headers({ [PEER_ADDRESS_HEADER]: "10.0.0.2" }), 3)).toBe("10.0.0.2");
  });
});
