import { describe, expect, it } from "vitest";
import { safeNextPath } from "../lib/safe-next";
import { accessTokenNeedsRefresh, peekTokenClaims } from "./session";

const token = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;

describe("session token helpers", () => {
  const now = Date.UTC(2030, 0, 1);
  const nowSeconds = now / 1000;

  it("reads sub and exp from a JWT without trusting it for anything else", () => {
    expect(peekTokenClaims(token({ sub: "u1", exp: 5, role: "authenticated" }))).toEqual({
      sub: "u1",
      exp: 5,
    });
    expect(peekTokenClaims("not-a-jwt")).toBeNull();
    expect(peekTokenClaims(token({ sub: "u1" }))).toBeNull();
    expect(peekTokenClaims(undefined)).toBeNull();
  });

  it("refreshes missing, malformed, expired and nearly expired tokens only", () => {
    expect(accessTokenNeedsRefresh(undefined, now)).toBe(true);
    expect(accessTokenNeedsRefresh("garbage", now)).toBe(true);
    expect(accessTokenNeedsRefresh(token({ sub: "u", exp: nowSeconds - 1 }), now)).toBe(true);
    expect(accessTokenNeedsRefresh(token({ sub: "u", exp: nowSeconds + 10 }), now)).toBe(true);
    expect(accessTokenNeedsRefresh(token({ sub: "u", exp: nowSeconds + 600 }), now)).toBe(false);
  });

  it("only follows same-site paths after sign-in", () => {
    expect(safeNextPath("/tenants/new?x=1")).toBe("/tenants/new?x=1");
    expect(safeNextPath(["/a", "/b"])).toBe("/a");
    for (const unsafe of ["//evil.example", "https://evil.example", "/\\evil.example", "", undefined]) {
      expect(safeNextPath(unsafe)).toBe("/");
    }
  });
});

describe("trust: open redirect after sign-in", () => {
  it("refuses a next that the browser would resolve to another origin", () => {
    // What `?next=/%09/evil.example` and friends decode to: the browser drops tabs and newlines.
    const decoded = [
      "/\t/evil.example",
      "/\n/evil.example",
      "/\r\n/evil.example",
      "/\t\\evil.example",
      "/\\\\evil.example",
    ];
    for (const unsafe of [...decoded, decodeURIComponent("/%09/evil.example")]) {
      expect(safeNextPath(unsafe)).toBe("/");
    }
  });

  it("keeps same-origin paths, query and fragment", () => {
    expect(safeNextPath("/scans/1?tab=security#top")).toBe("/scans/1?tab=security#top");
    expect(safeNextPath("/settings")).toBe("/settings");
  });
});
