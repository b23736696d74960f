import { describe, expect, it } from "vitest";
import { isThirdParty, registrableDomain } from "./domain";

describe("registrableDomain", () => {
  it("uses the public suffix list, not the last two labels", () => {
    expect(registrableDomain("static.shop.example.co.uk")).toBe("example.co.uk");
    expect(registrableDomain("a.b.example.com.au")).toBe("example.com.au");
    expect(registrableDomain("user.github.io")).toBe("github.io");
    expect(registrableDomain("WWW.Example.COM.")).toBe("example.com");
  });

  it("keeps IP addresses and hosts without a known suffix as they are", () => {
    expect(registrableDomain("127.0.0.1")).toBe("127.0.0.1");
    expect(registrableDomain("[::1]")).toBe("::1");
    expect(registrableDomain("localhost")).toBe("localhost");
  });
});

describe("isThirdParty", () => {
  it("compares registrable domains of request and page", () => {
    expect(isThirdParty("https://cdn.example.com/a.js", "https://www.example.com/")).toBe(false);
    expect(isThirdParty("https://www.googletagmanager.com/gtm.js", "https://www.example.com/")).toBe(true);
    expect(isThirdParty("not a url", "https://www.example.com/")).toBe(false);
  });
});
