import { describe, expect, it } from "vitest";
import { checkAddress, hostRefusalWithoutDns } from "./address";

describe("address policy without DNS", () => {
  it("refuses non-public IP literals and localhost names, and leaves other names to the connecting side", () => {
    expect(hostRefusalWithoutDns("10.0.0.5")).toBe("blocked: 10.0.0.5 is a private address");
    expect(hostRefusalWithoutDns("[::ffff:169.254.169.254]")).toMatch(
      /^blocked: .* embeds 169\.254\.169\.254, a link-local address/,
    );
    expect(hostRefusalWithoutDns("LocalHost.")).toBe("blocked: localhost is a loopback name");
    expect(hostRefusalWithoutDns("api.localhost")).toBe("blocked: api.localhost is a loopback name");
    expect(hostRefusalWithoutDns("93.184.215.14")).toBeNull();
    expect(hostRefusalWithoutDns("models.example.com")).toBeNull();
  });

  it("follows the operator's allowance like the scanner does", () => {
    expect(hostRefusalWithoutDns("localhost", "loopback")).toBeNull();
    expect(hostRefusalWithoutDns("10.0.0.5", "loopback")).toMatch(/private address/);
    expect(hostRefusalWithoutDns("10.0.0.5", true)).toBeNull();
    expect(checkAddress("169.254.169.254", true).allowed).toBe(false);
  });
});
