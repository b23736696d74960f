import { describe, expect, it } from "vitest";
import { analyseCsp, parseCsp } from "./csp";

// Cases from the MDN HTTP Observatory's own test suite (test/csp.test.js,
// test/csp-parser.test.js); the page is https://mozilla.org/.
const header = (value: string, metaPolicies: string[] = []) =>
  analyseCsp({ headerPolicies: [value], metaPolicies, reportOnly: false, https: true });
const none = (...policies: string[]) => Object.fromEntries(policies.map((p) => [p, true]));

describe("CSP analysis (Observatory cases)", () => {
  it("missing", () => {
    const r = analyseCsp({ headerPolicies: [], metaPolicies: [], reportOnly: false, https: true });
    expect(r).toMatchObject({ result: "csp-not-implemented", numPolicies: 0, pass: false });
  });

  it.each([
    "  ",
    "\r\n",
    "",
    "default-src 'none'; default-src 'none'",
    "default-src 'none'; img-src 'self'; default-src 'none'",
    "default-src 'none'; script-src 'strict-dynamic'",
    "defa",
  ])("header invalid: %j", (value) => {
    expect(header(value)).toMatchObject({ result: "csp-header-invalid", numPolicies: 1, pass: false });
  });

  it.each(["default-src 'none'; script-src https://*", "default-src 'none'; script-src 'unsafe-inline'"])(
    "insecure scheme broad and unsafe: %s",
    (value) => {
      const r = header(value);
      expect(r.result).toBe("csp-implemented-with-unsafe-inline");
      expect(r.pass).toBe(false);
      expect(r.policy?.unsafeInline).toBe(true);
    },
  );

  it.each([
    "default-src http://mozilla.org",
    "default-src 'none'; script-src http://mozilla.org",
    "default-src 'none'; script-src ftp://mozilla.org",
  ])("insecure scheme: %s", (value) => {
    const r = header(value);
    expect(r.result).toBe("csp-implemented-with-insecure-scheme");
    expect(r.pass).toBe(false);
    expect(r.policy?.insecureSchemeActive).toBe(true);
  });

  it.each([
    "default-src 'none'; img-src http://mozilla.org",
    "default-src 'self'; img-src ftp:",
    "default-src 'self'; img-src http:",
    "default-src 'none'; img-src https:; media-src http://mozilla.org",
    "default-src 'none'; img-src http: https:; script-src 'self'; style-src 'self'",
    "default-src 'none'; img-src 'none'; media-src http:; script-src 'self'; style-src 'self'",
    "default-src 'none'; img-src 'none'; media-src http:; script-src 'self'; style-src 'unsafe-inline'",
  ])("insecure scheme in passive content only: %s", (value) => {
    const r = header(value);
    expect(r.result).toBe("csp-implemented-with-insecure-scheme-in-passive-content-only");
    expect(r.pass).toBe(true);
    expect(r.policy?.insecureSchemePassive).toBe(true);
  });

  it.each([
    "script-src 'unsafe-inline'",
    "script-src data:",
    "script-src http:",
    "script-src ftp:",
    "default-src 'unsafe-inline'",
    "default-src 'UNSAFE-INLINE'",
    "upgrade-insecure-requests",
    "script-src 'none'",
    "script-src https:",
    "script-src https://mozilla.org https:",
    "default-src https://mozilla.org https:",
    "default-src 'none'; script-src *",
    "default-src *; script-src *; object-src 'none'",
    "default-src 'none'; script-src 'none'; object-src *",
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'",
    "default-src 'none'; script-src 'unsafe-inline' http:",
    "object-src https:; script-src 'none'",
  ])("unsafe inline: %s", (value) => {
    const r = header(value);
    expect(r.result).toBe("csp-implemented-with-unsafe-inline");
    expect(r.pass).toBe(false);
    expect(r.policy?.unsafeInline).toBe(true);
  });

  it("unsafe eval", () => {
    const r = header("default-src 'none'; script-src 'unsafe-eval'");
    expect(r.result).toBe("csp-implemented-with-unsafe-eval");
    expect(r.data?.["script-src"]).toEqual(["'unsafe-eval'"]);
    expect(r.pass).toBe(false);
    expect(r.policy?.unsafeEval).toBe(true);
  });

  it.each([
    "object-src 'none'; script-src 'none'; style-src 'unsafe-inline'",
    "default-src 'none'; script-src https://mozilla.org; style-src 'unsafe-inline'",
    "default-src 'unsafe-inline'; script-src https://mozilla.org",
    "default-src 'none';;; ;;;style-src 'self' 'unsafe-inline'",
    "default-src 'none'; style-src data:",
    "default-src 'none'; style-src *",
    "default-src 'none'; style-src https:",
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBB=' 'unsafe-inline'",
  ])("unsafe inline in style-src only: %s", (value) => {
    const r = header(value);
    expect(r.result).toBe("csp-implemented-with-unsafe-inline-in-style-src-only");
    expect(r.pass).toBe(true);
    expect(r.policy?.unsafeInlineStyle).toBe(true);
  });

  it.each([
    "default-src https://mozilla.org",
    "default-src https://mozilla.org;;; ;;;script-src 'none'",
    "object-src 'none'; script-src https://mozilla.org; style-src https://mozilla.org; upgrade-insecure-requests;",
    "object-src 'none'; script-src 'strict-dynamic' 'nonce-abc' 'unsafe-inline'; style-src 'none'",
    "object-src 'none'; style-src 'self';script-src 'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBA='",
    "object-src 'none'; style-src 'self'; script-src 'unsafe-inline' 'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBA=''sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBB='",
    "object-src 'none'; script-src 'unsafe-inline' 'nonce-abc123' 'unsafe-inline'; style-src 'none'",
    "default-src https://mozilla.org; style-src 'unsafe-inline' 'nonce-abc123' 'unsafe-inline'",
    "default-src https://mozilla.org; style-src 'unsafe-inline' 'sha256-hqBEA/HXB3aJU2FgOnYN8rkAgEVgyfi3Vs1j2/XMPBB=' 'unsafe-inline'",
  ])("no unsafe: %s", (value) => {
    expect(header(value)).toMatchObject({ result: "csp-implemented-with-no-unsafe", pass: true });
  });

  it.each([
    "default-src",
    "default-src 'none'; script-src 'strict-dynamic' 'nonce-abc123' 'unsafe-inline'",
    "default-src 'none'; script-src https://mozilla.org; style-src https://mozilla.org; upgrade-insecure-requests;",
    "default-src 'none'; object-src https://mozilla.org",
  ])("no unsafe, default-src 'none': %s", (value) => {
    const r = header(value);
    expect(r).toMatchObject({
      result: "csp-implemented-with-no-unsafe-default-src-none",
      numPolicies: 1,
      http: true,
      meta: false,
      pass: true,
    });
    expect(r.policy?.defaultNone).toBe(true);
  });

  it("header and meta policies combine", () => {
    // header default-src http: and meta default-src https: share nothing, so 'none'
    expect(header("default-src http:", ["default-src https:"])).toMatchObject({
      result: "csp-implemented-with-no-unsafe-default-src-none",
      numPolicies: 2,
      http: true,
      meta: true,
      pass: true,
    });
    const metaOnly = analyseCsp({
      headerPolicies: [],
      metaPolicies: ["default-src 'none';"],
      reportOnly: false,
      https: true,
    });
    expect(metaOnly).toMatchObject({
      result: "csp-implemented-with-no-unsafe-default-src-none",
      numPolicies: 1,
      http: false,
      meta: true,
    });
    const fourMetas = analyseCsp({
      headerPolicies: [],
      metaPolicies: [
        "default-src 'none'; object-src 'none'; media-src 'none';",
        "connect-src 'self'; font-src 'self'; child-src 'self'",
        "img-src 'self'; style-src 'self' 'nonce-gAeQO8jI4VJCsrsXkcUVRCzQjiihKteQ",
        "script-src 'self' 'unsafe-inline' 'nonce-gAeQO8jI4VJCsrsXkcUVRCzQjiihKteQ'",
      ],
      reportOnly: false,
      https: true,
    });
    expect(fourMetas).toMatchObject({
      result: "csp-implemented-with-no-unsafe-default-src-none",
      numPolicies: 4,
      pass: true,
    });
    expect(header("default-src 'none'", ["default-src 'none';"]).result).toBe(
      "csp-implemented-with-no-unsafe-default-src-none",
    );
    expect(header("default-src 'none'", ["default-src https:"]).result).toBe(
      "csp-implemented-with-no-unsafe-default-src-none",
    );
    expect(header("img-src 'none'", ["default-src 'none';"]).result).toBe(
      "csp-implemented-with-no-unsafe-default-src-none",
    );
  });

  it.each([
    "default-src 'none'; script-src 'strict-dynamic' 'nonce-abc123'",
    "default-src 'none'; script-src 'strict-dynamic' 'sha256-abc123'",
    "default-src 'none'; script-src 'strict-dynamic' 'sha256-abc123' https://*",
    "default-src 'none'; script-src 'strict-dynamic' 'sha256-abc123' 'unsafe-inline'",
  ])("strict-dynamic: %s", (value) => {
    const r = header(value);
    expect(r.result).toBe("csp-implemented-with-no-unsafe-default-src-none");
    expect(r.policy?.strictDynamic).toBe(true);
  });

  it("policy flags", () => {
    for (const v of [
      "default-src 'none'",
      "frame-ancestors *",
      "frame-ancestors http:",
      "frame-ancestors https:",
    ]) {
      expect(header(v).policy?.antiClickjacking).toBe(false);
    }
    expect(header("default-src *; frame-ancestors 'none'").policy?.antiClickjacking).toBe(true);
    for (const v of [
      "default-src 'none'; base-uri *; object-src *",
      "default-src 'none'; base-uri https:; object-src https:",
      "default-src *",
    ]) {
      expect(header(v).policy).toMatchObject(none("insecureBaseUri", "unsafeObjects"));
    }
    for (const v of [
      "default-src *; base-uri 'none'",
      "default-src 'none'; base-uri 'self'",
      "default-src 'none'; base-uri https://mozilla.org",
    ]) {
      expect(header(v).policy?.insecureBaseUri).toBe(false);
    }
    for (const v of [
      "default-src * http: https: data: 'unsafe-inline' 'unsafe-eval'",
      "default-src 'none'; img-src http:",
      "default-src 'none' https://mozilla.org; img-src http://mozilla.org",
      "default-src https:; media-src http://mozilla.org; script-src http:",
    ]) {
      expect(header(v).policy?.insecureSchemePassive).toBe(true);
    }
    for (const v of [
      "default-src *; form-action 'none'",
      "default-src *; form-action 'self'",
      "default-src 'none'; form-action 'self' https://mozilla.org",
      "form-action 'self' https://mozilla.org",
    ]) {
      expect(header(v).policy?.insecureFormAction).toBe(false);
    }
    for (const v of ["default-src *", "default-src 'none'", "form-action https:"]) {
      expect(header(v).policy?.insecureFormAction).toBe(true);
    }
  });

  it("report-only is reported", () => {
    const r = analyseCsp({ headerPolicies: [], metaPolicies: [], reportOnly: true, https: true });
    expect(r.result).toBe("csp-not-implemented-but-reporting-enabled");
  });

  it("ignores frame-ancestors in a meta policy", () => {
    const metaOnly = analyseCsp({
      headerPolicies: [],
      metaPolicies: ["frame-ancestors 'none'"],
      reportOnly: false,
      https: true,
    });
    expect(metaOnly).toMatchObject({ result: "csp-not-implemented", pass: false });
    expect(header("frame-anchestors 'none'", ["frame-ancestors 'none'"])).toMatchObject({
      result: "csp-implemented-with-unsafe-inline",
      pass: false,
    });
  });

  it("duplicate report-uri passes but is flagged", () => {
    expect(header("default-src 'none'; report-uri /a; report-uri /b")).toMatchObject({
      result: "csp-implemented-but-duplicate-directives",
      pass: true,
    });
  });
});

describe("CSP parser (Observatory cases)", () => {
  const parsed = (...policies: string[]) =>
    Object.fromEntries([...parseCsp(policies).directives].map(([k, v]) => [k, [...v].sort()]));

  it("merges several policies to what all of them allow", () => {
    expect(parsed("default-src 'none'")).toEqual({ "default-src": ["'none'"] });
    expect(parsed("default-src 'none'; script-src 'self' https://mozilla.org")).toEqual({
      "default-src": ["'none'"],
      "script-src": ["'self'", "https://mozilla.org"],
    });
    const both = { "default-src": ["'none'"], "script-src": ["'self'", "https://mozilla.org"] };
    expect(
      parsed(
        "default-src 'none'; script-src 'self' https://mozilla.org",
        "default-src 'none'; script-src 'self' https://mozilla.org",
      ),
    ).toEqual(both);
    expect(
      parsed(
        "default-src 'none'; script-src 'self' https://mozilla.org",
        "default-src 'none'; script-src 'self' https://mozilla.org https://example.com",
      ),
    ).toEqual(both);
    expect(
      parsed(
        "default-src 'none'; script-src 'self' https://mozilla.org",
        "default-src 'none'; script-src https://example.com 'self' https://mozilla.org",
      ),
    ).toEqual(both);
    expect(parsed("default-src https://mozilla.org", "default-src https://mozilla.com")).toEqual({
      "default-src": ["'none'"],
    });
    expect(
      parsed(
        "default-src https://mozilla.org https://mozilla.net",
        "default-src https://mozilla.com https://mozilla.io",
      ),
    ).toEqual({
      "default-src": ["'none'"],
    });
    expect(
      parsed(
        "default-src https://mozilla.org https://mozilla.net https://mozilla.com https://mozilla.io",
        "default-src https://mozilla.pizza https://mozilla.ninja https://mozilla.net https://mozilla.org",
        "default-src https://mozilla.net https://mozilla.fox https://mozilla.fire https://mozilla.org",
        "default-src https://mozilla.browser https://mozilla.web https://mozilla.net https://mozilla.org",
      ),
    ).toEqual({ "default-src": ["https://mozilla.net", "https://mozilla.org"] });
    expect(
      parsed("default-src https://mozilla.org/fire", "default-src https://mozilla.org/firefox/"),
    ).toEqual({ "default-src": ["'none'"] });
    expect(
      parsed("default-src https://mozilla.org/firefox/", "default-src https://mozilla.org/firefox/download/"),
    ).toEqual({
      "default-src": ["https://mozilla.org/firefox/download/"],
    });
    expect(
      parsed("default-src https://mozilla.org/firefox/download/", "default-src https://mozilla.org/firefox/"),
    ).toEqual({
      "default-src": ["https://mozilla.org/firefox/download/"],
    });
    expect(parsed("default-src http:", "default-src https:")).toEqual({ "default-src": ["'none'"] });
    expect(parsed("default-src http: http:", "default-src https: https:")).toEqual({
      "default-src": ["'none'"],
    });
  });

  it.each([
    "  ",
    "\r\n",
    "\r\n\r\n\r\n",
    "",
    "default-src 'none'; default-src 'none'",
    "default-src 'none'; img-src 'self'; default-src 'none'",
    "defa",
  ])("rejects %j", (policy) => {
    expect(() => parseCsp([policy])).toThrow();
  });

  it("records duplicate report-uri and report-to", () => {
    expect([...parseCsp(["report-uri https://a/x ; report-uri https://a/y"]).duplicateWarnings]).toEqual([
      "report-uri",
    ]);
    expect([...parseCsp(["report-to a ; report-to b"]).duplicateWarnings]).toEqual(["report-to"]);
  });
});
