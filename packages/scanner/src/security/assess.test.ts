import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { EvidenceSet } from "../evidence";
import type { DnsInfo, TlsInfo } from "../types";
import { analyseCookies } from "./cookies";
import { assessSecurity } from "./index";
import { summariseMixedContent } from "./mixed-content";
import { cookie, fetchSnapshot, snapshot } from "../testing";

describe("cookie flags", () => {
  it("lists what is wrong with each cookie", () => {
    const page = snapshot({
      url: "https://example.com/",
      cookies: [
        "sessionid=1; Path=/; Secure; HttpOnly; SameSite=Lax",
        "PHPSESSID=2; Path=/",
        "__Host-id=3; Path=/app; Secure; HttpOnly; SameSite=Strict",
        "__Secure-t=4; Path=/; SameSite=Lax",
        "csrftoken=5; Path=/; Secure",
        "pref=6; Path=/; Secure; SameSite=None",
        "odd=7; Path=/; Secure; SameSite=Sometimes",
      ].map(cookie),
    });
    const evidence = new EvidenceSet();
    const findings = analyseCookies([page], evidence);
    expect(Object.fromEntries(findings.map((f) => [f.name, f.issues]))).toEqual({
      sessionid: [],
      PHPSESSID: ["session cookie without Secure", "session cookie without HttpOnly", "missing SameSite"],
      "__Host-id": ["__Host- prefix requires Secure, Path=/ and no Domain"],
      "__Secure-t": ["missing Secure", "__Secure- prefix requires Secure"],
      csrftoken: ["missing SameSite", "anti-CSRF token without SameSite"],
      pref: [],
      odd: ['invalid SameSite value "Sometimes"'],
    });
    expect(evidence.get(findings[1]!.evidence[0]!)).toMatchObject({
      kind: "cookie",
      locator: "PHPSESSID",
      snippet: "Set-Cookie: PHPSESSID=2; Path=/",
    });
  });

  it("flags cookies set over plain http", () => {
    const page = snapshot({
      url: "http://example.com/",
      cookies: [cookie("sid_session=1; Path=/; HttpOnly; SameSite=Lax")],
    });
    expect(analyseCookies([page], new EvidenceSet())[0]!.issues).toEqual([
      "session cookie without Secure",
      "session cookie set over plain http",
    ]);
  });
});

describe("mixed content", () => {
  it("finds http:// subresources of https pages, from the HTML and the browser", () => {
    const html = `<html><head><link rel="stylesheet" href="http://cdn.example/a.css"><link rel="canonical" href="http://example.com/">
      <script src="http://cdn.example/a.js"></script></head><body><img src="http://img.example/x.jpg"><img src="/ok.png">
      <a href="http://example.com/page">link</a><form action="http://example.com/search"></form></body></html>`;
    const evidence = new EvidenceSet();
    const found = summariseMixedContent(
      [snapshot({ url: "https://example.com/", html, mixedContent: ["http://tracker.example/p.gif"] })],
      evidence,
    );
    expect(found.map((m) => m.url)).toEqual([
      "http://tracker.example/p.gif",
      "http://cdn.example/a.js",
      "http://cdn.example/a.css",
      "http://img.example/x.jpg",
    ]);
    expect(evidence.get(found[1]!.evidence[0]!)!.snippet).toBe(
      '<script src="http://cdn.example/a.js"></script>',
    );
    expect(
      summariseMixedContent([snapshot({ url: "http://example.com/", html })], new EvidenceSet()),
    ).toEqual([]);
  });
});

describe("assessSecurity", () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer({ sites: ["legacy-weak"] });
  });
  afterAll(() => server.close());

  it("legacy-weak: grade F, insecure cookies, with TLS and DNS from the site context", async () => {
    const home = await fetchSnapshot(server.url("legacy-weak"));
    const tls: TlsInfo = {
      host: "hartley-hardware.example",
      protocol: "TLSv1.2",
      cipher: "ECDHE-RSA-AES128-GCM-SHA256",
      issuer: "CN=R3, O=Let's Encrypt, C=US",
      subject: "CN=hartley-hardware.example",
      subjectAltNames: ["hartley-hardware.example"],
      validFrom: "2025-01-01T00:00:00.000Z",
      validTo: "2025-04-01T00:00:00.000Z",
      daysRemaining: -10,
      authorized: false,
      authorizationError: "CERT_HAS_EXPIRED",
    };
    const dns: DnsInfo = {
      host: "hartley-hardware.example",
      a: ["192.0.2.7"],
      aaaa: [],
      mx: [{ exchange: "mail.hartley-hardware.example", priority: 10 }],
      txt: [],
      spf: null,
      dmarc: null,
      caa: [],
      ns: [],
      cname: [],
      errors: [],
    };
    const evidence = new EvidenceSet();
    const report = assessSecurity(home, { origin: server.origin, robotsTxt: null, tls, dns }, evidence);
    expect({ grade: report.grade, score: report.score }).toEqual({ grade: "F", score: 0 });
    expect(report.tests).toHaveLength(10);
    expect(report.cookies.map((c) => [c.name, c.issues])).toEqual([
      [
        "PHPSESSID",
        [
          "session cookie without Secure",
          "session cookie without HttpOnly",
          "missing SameSite",
          "session cookie set over plain http",
        ],
      ],
      ["cart_token", ["missing Secure", "missing SameSite", "set over plain http"]],
    ]);
    expect(evidence.get(report.tls!.evidence[0]!)!.snippet).toContain("not verified: CERT_HAS_EXPIRED");
    expect(report.dns!.evidence.map((id) => evidence.get(id)!.snippet)).toEqual([
      "A 192.0.2.7",
      "MX 10 mail.hartley-hardware.example",
    ]);
    expect(report.mixedContent).toEqual([]);
    // every cited id exists
    const cited = [...report.tests.flatMap((t) => t.evidence), ...report.cookies.flatMap((c) => c.evidence)];
    expect(cited.every((id) => evidence.get(id) !== undefined)).toBe(true);
  });
});
