import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Server } from "node:net";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { EvidenceSet } from "../evidence";
import { ByteBudget, SafeFetcher } from "../net";
import { crawlStage, parseScanOptions, securityStage, siteContextStage } from "../scan";
import type { Headers, HttpProbe, ObservatoryRetrieval } from "../types";
import { assessSecurity } from "./index";
import { gradeHeaders, type HeaderGradeInput } from "./observatory";
import {
  OBSERVATORY_CORS_ORIGIN,
  observatoryPage,
  retrieveForObservatory,
  type ObservatoryPorts,
} from "./observatory-retriever";
import { gradeForScore, scoreModifiers } from "./observatory-scores";
import { cookie, fetchSnapshot, snapshot } from "../testing";

// Cases from the MDN HTTP Observatory's own suite (its test/*.test.js): the
// site is mozilla.org, fetched over https, and http:// redirects
// http://mozilla.org/ → https://mozilla.org/ → https://www.mozilla.org/.
const HTTP_PROBE: HttpProbe = {
  requestedUrl: "http://mozilla.org/",
  url: "https://www.mozilla.org/",
  status: 200,
  redirects: [
    { url: "http://mozilla.org/", status: 301, location: "https://mozilla.org/" },
    { url: "https://mozilla.org/", status: 301, location: "https://www.mozilla.org/" },
  ],
};

function grade(
  opts: { headers?: Headers; html?: string; cookies?: string[]; input?: Partial<HeaderGradeInput> } = {},
) {
  const cookies = opts.cookies ?? [];
  const page = snapshot({
    headers: {
      "content-type": ["text/html"],
      ...(cookies.length ? { "set-cookie": cookies } : {}),
      ...opts.headers,
    },
    html: opts.html ?? "",
    cookies: cookies.map(cookie),
  });
  const evidence = new EvidenceSet();
  const result = gradeHeaders({ page, httpProbe: HTTP_PROBE, ...opts.input }, evidence);
  const byName = (name: string) => result.tests.find((t) => t.name === name)!;
  return { ...result, byName, evidence };
}
const outcome = (name: string, opts: Parameters<typeof grade>[0]) => {
  const t = grade(opts).byName(name);
  return { result: t.result, pass: t.pass };
};

describe("cookies", () => {
  const cookies = (list: string[], headers?: Headers) => outcome("cookies", { cookies: list, headers });
  const HSTS = { "strict-transport-security": ["max-age=15768000"] };

  it("no cookies", () => expect(cookies([])).toEqual({ result: "cookies-not-found", pass: true }));
  it("secure with httponly sessions (heroku-session-affinity ignored)", () => {
    expect(
      cookies([
        "SESSIONID=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly",
        "foo=bar; Domain=mozilla.org; Secure; Path=/",
        "heroku-session-affinity=bar; Domain=mozilla.org; Path=/",
      ]),
    ).toEqual({ result: "cookies-secure-with-httponly-sessions", pass: true });
  });
  it("secure with httponly sessions and samesite", () => {
    expect(
      cookies([
        "SESSIONID_SAMESITE_STRICT=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly; SameSite=Strict",
        "SESSIONID_SAMESITE_LAX=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly; SameSite=Lax",
        "SESSIONID_SAMESITE_NONE=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly; SameSite=None",
      ]),
    ).toEqual({ result: "cookies-secure-with-httponly-sessions-and-samesite", pass: true });
  });
  it("samesite bonus only when every cookie has it", () => {
    expect(
      cookies([
        "SESSIONID_SAMESITE_STRICT=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly; SameSite=Strict",
        "SESSIONID_SAMESITE_NO_SAMESITE=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly",
      ]),
    ).toEqual({ result: "cookies-secure-with-httponly-sessions", pass: true });
  });
  it("anti-CSRF without samesite", () => {
    expect(cookies(["CSRFTOKEN=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly"])).toEqual({
      result: "cookies-anticsrf-without-samesite-flag",
      pass: false,
    });
  });
  it.each(["SameSite=", "SameSite=True", "SameSite=Invalid"])("invalid %s", (attr) => {
    expect(cookies([`SESSIONID=bar; Domain=mozilla.org; Path=/; Secure; HttpOnly; ${attr}`])).toEqual({
      result: "cookies-samesite-flag-invalid",
      pass: false,
    });
  });
  it("without Secure but protected by HSTS", () => {
    expect(cookies(["foo=bar; Domain=mozilla.org; Path=/"], HSTS)).toEqual({
      result: "cookies-without-secure-flag-but-protected-by-hsts",
      pass: false,
    });
    expect(cookies(["SESSIONID=bar; Domain=mozilla.org; Path=/; HttpOnly"], HSTS)).toEqual({
      result: "cookies-session-without-secure-flag-but-protected-by-hsts",
      pass: false,
    });
  });
  it("without Secure", () => {
    expect(cookies(["foo=bar; Domain=mozilla.org; Path=/"])).toEqual({
      result: "cookies-without-secure-flag",
      pass: false,
    });
  });
  it("session without HttpOnly", () => {
    expect(cookies(["SESSIONID=bar; Domain=mozilla.org; Path=/; Secure"])).toEqual({
      result: "cookies-session-without-httponly-flag",
      pass: false,
    });
  });
  it("session without Secure", () => {
    expect(cookies(["SESSIONID=bar; Domain=mozilla.org; Path=/; HttpOnly"])).toEqual({
      result: "cookies-session-without-secure-flag",
      pass: false,
    });
    expect(cookies(["SESSIONID=bar; Domain=mozilla.org; Path=/"])).toEqual({
      result: "cookies-session-without-secure-flag",
      pass: false,
    });
  });
});

describe("truth: observatory redirection (its redirection.test.js)", () => {
  const redirection = (probe: HttpProbe | null) => outcome("redirection", { input: { httpProbe: probe } });
  const chain = (...hops: string[]): HttpProbe => ({
    requestedUrl: hops[0]!,
    url: hops.at(-1)!,
    status: 200,
    redirects: hops.slice(0, -1).map((url, i) => ({ url, status: 301, location: hops[i + 1]! })),
  });

  it("no http but https", () =>
    expect(redirection(null)).toEqual({ result: "redirection-not-needed-no-http", pass: true }));
  it("missing", () =>
    expect(redirection(chain("http://mozilla.org/"))).toEqual({
      result: "redirection-missing",
      pass: false,
    }));
  it("not to https", () => {
    expect(redirection(chain("http://mozilla.org/", "http://www.mozilla.org/"))).toEqual({
      result: "redirection-not-to-https",
      pass: false,
    });
    expect(
      redirection(chain("http://mozilla.org/", "http://www.mozilla.org/", "http://www.mozilla.org/en/")),
    ).toEqual({
      result: "redirection-not-to-https",
      pass: false,
    });
  });
  it("to https", () => {
    expect(redirection(HTTP_PROBE)).toEqual({ result: "redirection-to-https", pass: true });
    expect(redirection(chain("http://mozilla.org/", "https://mozilla.org:8443/"))).toEqual({
      result: "redirection-to-https",
      pass: true,
    });
  });
  it("first redirection to http", () => {
    expect(
      redirection(chain("http://mozilla.org/", "http://www.mozilla.org/", "https://www.mozilla.org/")),
    ).toEqual({
      result: "redirection-not-to-https-on-initial-redirection",
      pass: false,
    });
  });
  it("first redirection off host", () => {
    expect(redirection(chain("http://mozilla.org/", "https://www.mozilla.org/"))).toEqual({
      result: "redirection-off-host-from-http",
      pass: false,
    });
  });
  it("invalid certificate", () => {
    expect(outcome("redirection", { input: { certificateValid: false } })).toEqual({
      result: "redirection-invalid-cert",
      pass: false,
    });
  });
  it("unknown when http:// was not tried", () => {
    const page = snapshot();
    const t = gradeHeaders({ page }, new EvidenceSet()).tests.find((x) => x.name === "redirection")!;
    expect(t).toMatchObject({ result: "redirection-not-tested", scoreModifier: 0, pass: false });
  });
});

describe("strict-transport-security", () => {
  const hsts = (value?: string, input?: Partial<HeaderGradeInput>) =>
    outcome("strict-transport-security", {
      headers: value === undefined ? {} : { "strict-transport-security": [value] },
      input,
    });
  it("missing", () => expect(hsts()).toEqual({ result: "hsts-not-implemented", pass: false }));
  it("invalid", () => {
    expect(hsts("includeSubDomains; preload")).toEqual({ result: "hsts-header-invalid", pass: false });
    expect(hsts("max-age=15768000; includeSubDomains, max-age=15768000; includeSubDomains")).toEqual({
      result: "hsts-header-invalid",
      pass: false,
    });
  });
  it("sent twice is invalid", () => {
    expect(
      outcome("strict-transport-security", {
        headers: { "strict-transport-security": ["max-age=15768000", "max-age=15768000"] },
      }),
    ).toEqual({
      result: "hsts-header-invalid",
      pass: false,
    });
  });
  it("no https", () => {
    const page = snapshot({
      url: "http://mozilla.org/",
      headers: { "content-type": ["text/html"], "strict-transport-security": ["max-age=15768000"] },
    });
    const t = gradeHeaders({ page }, new EvidenceSet()).tests.find(
      (x) => x.name === "strict-transport-security",
    )!;
    expect(t).toMatchObject({ result: "hsts-not-implemented-no-https", pass: false });
  });
  it("invalid cert", () => {
    expect(hsts("max-age=15768000; includeSubDomains; preload", { certificateValid: false })).toEqual({
      result: "hsts-invalid-cert",
      pass: false,
    });
  });
  it("max-age too low", () =>
    expect(hsts("max-age=86400")).toEqual({
      result: "hsts-implemented-max-age-less-than-six-months",
      pass: false,
    }));
  it("implemented", () => {
    expect(hsts("max-age=15768000; includeSubDomains; preload")).toEqual({
      result: "hsts-implemented-max-age-at-least-six-months",
      pass: true,
    });
    expect(hsts("max-age=15552000")).toEqual({
      result: "hsts-implemented-max-age-at-least-six-months",
      pass: true,
    });
  });
});

describe("subresource-integrity", () => {
  const sri = (html: string, headers?: Headers) => outcome("subresource-integrity", { html, headers });
  const INTEGRITY =
    'integrity="sha384-zTm/dblzLXQNp3CgY+hfaC/WJ6h4XtNrePh2CW2+rO9GPuNiPb9jmthvAL+oI/dQ" crossorigin="anonymous"';
  const page = (...scripts: string[]) => `<html><head>${scripts.join("\n")}<head><body></body></html>`;
  const FOO = '<script src="/static/js/foo.js"></script>';

  it("no scripts", () =>
    expect(sri("<html><head></head><body></body></html>")).toEqual({
      result: "sri-not-implemented-but-no-scripts-loaded",
      pass: true,
    }));
  it("not html", () => {
    expect(sri('{"foo": "bar"}', { "content-type": ["application/json"] })).toEqual({
      result: "sri-not-implemented-response-not-html",
      pass: true,
    });
  });
  it("same origin", () => {
    expect(sri(page(FOO))).toEqual({
      result: "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
      pass: true,
    });
    expect(sri(page('<script src="//www.mozilla.org/static/js/foo.js"></script>'))).toEqual({
      result: "sri-not-implemented-and-external-scripts-not-loaded-securely",
      pass: false,
    });
    expect(sri(page('<script src="https://www.mozilla.org/static/js/foo.js"></script>'))).toEqual({
      result: "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
      pass: true,
    });
  });
  it("implemented, external over https", () => {
    expect(sri(page(FOO, `<script src="https://fb.me/react-0.14.7.min.js" ${INTEGRITY}></script>`))).toEqual({
      result: "sri-implemented-and-external-scripts-loaded-securely",
      pass: true,
    });
    expect(
      sri(page(FOO, `<script src="https://localhost/react-0.14.7.min.js" ${INTEGRITY}></script>`)),
    ).toEqual({
      result: "sri-implemented-and-external-scripts-loaded-securely",
      pass: true,
    });
  });
  it("implemented, same origin", () => {
    expect(sri(page(`<script src="/static/js/react-0.14.7.min.js" ${INTEGRITY}></script>`))).toEqual({
      result: "sri-implemented-and-all-scripts-loaded-securely",
      pass: true,
    });
  });
  it("not implemented, external over https", () => {
    expect(sri(page(FOO, '<script src="https://fb.me/react-0.14.7.min.js"></script>'))).toEqual({
      result: "sri-not-implemented-but-external-scripts-loaded-securely",
      pass: false,
    });
  });
  it("implemented, external over http or protocol-relative", () => {
    expect(
      sri(
        page(
          FOO,
          `<script src="http://fb.me/react-0.14.6.min.js" ${INTEGRITY}></script>`,
          `<script src="https://fb.me/react-0.14.7.min.js" ${INTEGRITY}></script>`,
        ),
      ),
    ).toEqual({ result: "sri-implemented-but-external-scripts-not-loaded-securely", pass: false });
    expect(sri(page(`<script src="//fb.me/react-0.14.6.min.js" ${INTEGRITY}></script>`))).toEqual({
      result: "sri-implemented-but-external-scripts-not-loaded-securely",
      pass: false,
    });
  });
  it("not implemented, external over http or protocol-relative", () => {
    expect(sri(page(FOO, '<script src="http://fb.me/react-0.14.6.min.js"></script>'))).toEqual({
      result: "sri-not-implemented-and-external-scripts-not-loaded-securely",
      pass: false,
    });
    expect(sri(page(FOO, '<script src="//fb.me/react-0.14.6.min.js"></script>'))).toEqual({
      result: "sri-not-implemented-and-external-scripts-not-loaded-securely",
      pass: false,
    });
  });
});

describe("referrer-policy", () => {
  const referrer = (value?: string, html = "") =>
    outcome("referrer-policy", { headers: value === undefined ? {} : { "referrer-policy": [value] }, html });
  const META =
    '<!doctype html><html><head><meta name="referrer" content="no-referrer, same-origin" /></head></html>';

  it.each([
    "no-referrer",
    "same-origin",
    "strict-origin",
    "STRICT-ORIGIN",
    "strict-origin-when-cross-origin",
  ])("private: %s", (v) => {
    expect(referrer(v)).toEqual({ result: "referrer-policy-private", pass: true });
  });
  it("meta tag, which wins over the header", () => {
    expect(referrer(undefined, META)).toEqual({ result: "referrer-policy-private", pass: true });
    expect(referrer("unsafe-url", META)).toEqual({ result: "referrer-policy-private", pass: true });
    expect(referrer(undefined, META.replace('name="referrer"', 'name="referRer"'))).toEqual({
      result: "referrer-policy-private",
      pass: true,
    });
  });
  it("missing", () => expect(referrer()).toEqual({ result: "referrer-policy-not-implemented", pass: true }));
  it("invalid", () => {
    expect(referrer("whimsy")).toEqual({ result: "referrer-policy-header-invalid", pass: false });
    expect(referrer("whimsy, whimsy1, whimsy2")).toEqual({
      result: "referrer-policy-header-invalid",
      pass: false,
    });
  });
  it.each([
    "origin",
    "origin-when-cross-origin",
    "unsafe-url",
    "origin-when-cross-origin, no-referrer, unsafe-url",
    "no-referrer, unsafe-url",
  ])("unsafe: %s", (v) => expect(referrer(v)).toEqual({ result: "referrer-policy-unsafe", pass: false }));
  it("last valid token wins", () =>
    expect(referrer("no-referrer, whimsy")).toEqual({ result: "referrer-policy-private", pass: true }));
});

describe("x-content-type-options, x-frame-options, CORP, CORS", () => {
  const h = (name: string, headers: Headers, html?: string) => outcome(name, { headers, html });
  it("x-content-type-options", () => {
    expect(h("x-content-type-options", {})).toEqual({
      result: "x-content-type-options-not-implemented",
      pass: false,
    });
    for (const v of ["whimsy", "nosniff, nosniff"]) {
      expect(h("x-content-type-options", { "x-content-type-options": [v] })).toEqual({
        result: "x-content-type-options-header-invalid",
        pass: false,
      });
    }
    expect(h("x-content-type-options", { "x-content-type-options": ["nosniff", "nosniff"] }).result).toBe(
      "x-content-type-options-header-invalid",
    );
    for (const v of ["nosniff", "nosniff "]) {
      expect(h("x-content-type-options", { "x-content-type-options": [v] })).toEqual({
        result: "x-content-type-options-nosniff",
        pass: true,
      });
    }
  });
  it("x-frame-options", () => {
    const xfo = (v: string) => h("x-frame-options", { "x-frame-options": [v] });
    expect(h("x-frame-options", {})).toEqual({ result: "x-frame-options-not-implemented", pass: false });
    expect(xfo("whimsy")).toEqual({ result: "x-frame-options-header-invalid", pass: false });
    expect(xfo("SAMEORIGIN, SAMEORIGIN")).toEqual({ result: "x-frame-options-header-invalid", pass: false });
    expect(xfo("ALLOW-FROM https://mozilla.org")).toEqual({
      result: "x-frame-options-allow-from-origin",
      pass: true,
    });
    expect(xfo("DENY")).toEqual({ result: "x-frame-options-sameorigin-or-deny", pass: true });
    expect(xfo("DENY ")).toEqual({ result: "x-frame-options-sameorigin-or-deny", pass: true });
    expect(
      h("x-frame-options", {
        "x-frame-options": ["DENY"],
        "content-security-policy": ["frame-ancestors https://mozilla.org"],
      }),
    ).toEqual({
      result: "x-frame-options-implemented-via-csp",
      pass: true,
    });
    expect(
      h(
        "x-frame-options",
        {},
        '<!DOCTYPE html><html><head><meta http-equiv="X-Frame-Options" content="DENY" /></head></html>',
      ),
    ).toEqual({
      result: "x-frame-options-not-implemented",
      pass: false,
    });
  });
  it("cross-origin-resource-policy", () => {
    const corp = (v?: string) =>
      h("cross-origin-resource-policy", v === undefined ? {} : { "cross-origin-resource-policy": [v] });
    expect(corp()).toEqual({ result: "corp-not-implemented", pass: true });
    expect(corp("whimsy")).toEqual({ result: "corp-header-invalid", pass: false });
    expect(corp("same-site")).toEqual({ result: "corp-implemented-with-same-site", pass: true });
    expect(corp("same-origin")).toEqual({ result: "corp-implemented-with-same-origin", pass: true });
    expect(corp("cross-origin")).toEqual({ result: "corp-implemented-with-cross-origin", pass: true });
  });
  it("truth: observatory CORS analyzer (its cors.test.js)", () => {
    const origin = "https://http-observatory.security.mozilla.org";
    const cors = (headers: Headers) =>
      outcome("cross-origin-resource-sharing", {
        input: { cors: { requestOrigin: origin, url: "https://mozilla.org/", headers } },
      });
    expect(cors({})).toEqual({ result: "cross-origin-resource-sharing-not-implemented", pass: true });
    expect(cors({ "access-control-allow-origin": ["*"] })).toEqual({
      result: "cross-origin-resource-sharing-implemented-with-public-access",
      pass: true,
    });
    expect(cors({ "access-control-allow-origin": ["https://mozilla.org"] })).toEqual({
      result: "cross-origin-resource-sharing-implemented-with-restricted-access",
      pass: true,
    });
    expect(
      cors({ "access-control-allow-origin": [origin], "access-control-allow-credentials": ["true"] }),
    ).toEqual({
      result: "cross-origin-resource-sharing-implemented-with-universal-access",
      pass: false,
    });
  });
});

describe("score and grade", () => {
  it("grade chart (MDN: 100+ A+, 90 A, 85 A-, 80 B+, 70 B, 65 B-, 60 C+, 50 C, 45 C-, 40 D+, 30 D, 25 D-, else F)", () => {
    const cases: [number, string][] = [
      [135, "A+"],
      [100, "A+"],
      [99, "A"],
      [90, "A"],
      [89, "A-"],
      [85, "A-"],
      [84, "B+"],
      [80, "B+"],
      [79, "B"],
      [70, "B"],
      [69, "B-"],
      [65, "B-"],
      [64, "C+"],
      [60, "C+"],
      [59, "C"],
      [50, "C"],
      [49, "C-"],
      [45, "C-"],
      [44, "D+"],
      [40, "D+"],
      [39, "D"],
      [30, "D"],
      [29, "D-"],
      [25, "D-"],
      [24, "F"],
      [0, "F"],
    ];
    for (const [score, letter] of cases) expect(gradeForScore(score)).toEqual({ score, grade: letter });
    expect(gradeForScore(-10)).toEqual({ score: 0, grade: "F" });
  });

  it("bonus points only when the score without them is at least 90", () => {
    expect(scoreModifiers([10, 5, -5])).toBe(110);
    expect(scoreModifiers([10, 5, -10])).toBe(105);
    expect(scoreModifiers([10, 5, -15])).toBe(85);
    expect(scoreModifiers([-25, 5])).toBe(75);
  });

  it("a page with every protection scores 130, A+", () => {
    const g = grade({
      headers: {
        "content-security-policy": ["default-src 'none'; frame-ancestors 'none'; form-action 'self'"],
        "referrer-policy": ["no-referrer"],
        "strict-transport-security": ["max-age=63072000; includeSubDomains; preload"],
        "x-content-type-options": ["nosniff"],
        "cross-origin-resource-policy": ["same-origin"],
      },
      html: "<html><head></head><body></body></html>",
    });
    expect(g.tests.map((t) => [t.name, t.result, t.scoreModifier])).toEqual([
      ["content-security-policy", "csp-implemented-with-no-unsafe-default-src-none", 10],
      ["cookies", "cookies-not-found", 0],
      ["cross-origin-resource-sharing", "cross-origin-resource-sharing-not-implemented", 0],
      ["redirection", "redirection-to-https", 0],
      ["referrer-policy", "referrer-policy-private", 5],
      ["strict-transport-security", "hsts-implemented-max-age-at-least-six-months", 0],
      ["subresource-integrity", "sri-not-implemented-but-no-scripts-loaded", 0],
      ["x-content-type-options", "x-content-type-options-nosniff", 0],
      ["x-frame-options", "x-frame-options-implemented-via-csp", 5],
      ["cross-origin-resource-policy", "corp-implemented-with-same-origin", 10],
    ]);
    expect({ score: g.score, grade: g.grade }).toEqual({ score: 130, grade: "A+" });
    const csp = g.evidence.get(g.byName("content-security-policy").evidence[0]!)!;
    expect(csp.snippet).toBe(
      "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'; form-action 'self'",
    );
  });

  it("bare https page: no bonus below 90", () => {
    const g = grade({ headers: { "referrer-policy": ["no-referrer"] }, html: "<html></html>" });
    // -25 CSP, -20 HSTS, -5 XCTO, -20 XFO; the +5 referrer bonus is dropped
    expect({ score: g.score, grade: g.grade }).toEqual({ score: 30, grade: "D" });
  });
});

describe("fixture: legacy-weak", () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer({ sites: ["legacy-weak"] });
  });
  afterAll(() => server.close());

  it("grades F with the failing tests citing the response", async () => {
    const page = await fetchSnapshot(server.url("legacy-weak"));
    const evidence = new EvidenceSet();
    const g = gradeHeaders({ page }, evidence);
    expect(Object.fromEntries(g.tests.map((t) => [t.name, [t.result, t.scoreModifier]]))).toEqual({
      "content-security-policy": ["csp-not-implemented", -25],
      cookies: ["cookies-session-without-secure-flag", -40],
      "cross-origin-resource-sharing": ["cross-origin-resource-sharing-not-implemented", 0],
      redirection: ["redirection-missing", -20],
      "referrer-policy": ["referrer-policy-not-implemented", 0],
      "strict-transport-security": ["hsts-not-implemented-no-https", -20],
      "subresource-integrity": ["sri-not-implemented-but-all-scripts-loaded-from-secure-origin", 0],
      "x-content-type-options": ["x-content-type-options-not-implemented", -5],
      "x-frame-options": ["x-frame-options-not-implemented", -20],
      "cross-origin-resource-policy": ["corp-not-implemented", 0],
    });
    expect({ score: g.score, grade: g.grade }).toEqual({ score: 0, grade: "F" });

    const cookieTest = g.tests.find((t) => t.name === "cookies")!;
    const snippets = cookieTest.evidence.map((id) => evidence.get(id)!.snippet);
    expect(snippets[0]).toBe("Set-Cookie: PHPSESSID=8f2d1c9a7b6e5d4c3b2a19f8e7d6c5b4; path=/");
    const csp = evidence.get(g.tests[0]!.evidence[0]!)!;
    expect(csp.snippet).toMatch(/^HTTP 200 http:\/\/127\.0\.0\.1:\d+\/\n/);
    expect(csp.snippet).toContain("server");
    expect(csp.snippet).not.toContain("content-security-policy");
  });
});

// ---- End to end: the Observatory's retriever against real servers on 127.0.0.1. ----

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createHttpServer();
  const port = await listen(server);
  await close(server);
  return port;
}

const STRONG_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "strict-transport-security": "max-age=63072000",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};
const WEAK_HEADERS = { "content-type": "text/html; charset=utf-8" };
const PAGE = "<!doctype html><html><head><title>t</title></head><body></body></html>";

function page(headers: Record<string, string>): Handler {
  return (_req, res) => {
    res.writeHead(200, headers);
    res.end(PAGE);
  };
}

function redirectTo(location: (req: IncomingMessage) => string): Handler {
  return (req, res) => {
    res.writeHead(301, { location: location(req) });
    res.end();
  };
}

describe("truth: observatory both schemes", () => {
  let cert: string;
  let key: string;
  const servers: Server[] = [];

  beforeAll(async () => {
    const notBefore = new Date(Date.now() - 86_400_000);
    const pems = await generate([{ name: "commonName", value: "127.0.0.1" }], {
      keySize: 2048,
      algorithm: "sha256",
      notBeforeDate: notBefore,
      notAfterDate: new Date(notBefore.getTime() + 30 * 86_400_000),
      extensions: [
        {
          name: "subjectAltName",
          altNames: [
            { type: 7, ip: "127.0.0.1" },
            { type: 2, value: "www.observatory.test" },
          ],
        },
      ],
    });
    cert = pems.cert;
    key = pems.private;
  });
  afterAll(() => Promise.all(servers.map(close)));

  async function http(handler: Handler): Promise<number> {
    const server = createHttpServer(handler);
    servers.push(server);
    return listen(server);
  }
  async function https(handler: Handler): Promise<number> {
    const server = createHttpsServer({ key, cert }, handler);
    servers.push(server);
    return listen(server);
  }

  /** Retrieve as the Observatory would (trusting the test certificate unless told not to), then grade. */
  async function observe(url: string, ports: ObservatoryPorts, opts: { trust?: boolean } = {}) {
    const open = (verifyCertificates: boolean) =>
      new SafeFetcher({
        allowPrivate: "loopback",
        verifyCertificates,
        // Every name is this machine, so a redirect to another host name stays on loopback.
        resolver: async () => [{ address: "127.0.0.1", family: 4 as const }],
        ...(opts.trust === false ? {} : { ca: [cert] }),
      });
    const retrieval = await retrieveForObservatory(url, open, ports);
    const evidence = new EvidenceSet();
    const home = snapshot({ url, requestedUrl: url });
    const security = assessSecurity(
      home,
      { origin: new URL(url).origin, robotsTxt: null, tls: null, dns: null, observatory: retrieval },
      evidence,
    );
    const result = (name: string) => security.tests.find((t) => t.name === name)!.result;
    return { retrieval, security, result, evidence };
  }

  it("an http:// input that redirects to https is redirection-to-https and graded on https", async () => {
    const httpsPort = await https(page(STRONG_HEADERS));
    const httpPort = await http(redirectTo((req) => `https://127.0.0.1:${httpsPort}${req.url}`));
    const { retrieval, security, result, evidence } = await observe(`http://127.0.0.1:${httpPort}/app/?q=1`, {
      https: httpsPort,
    });
    expect(retrieval.http).toMatchObject({
      requestedUrl: `http://127.0.0.1:${httpPort}/app/?q=1`,
      url: `https://127.0.0.1:${httpsPort}/app/?q=1`,
      verified: true,
    });
    expect(retrieval.https?.requestedUrl).toBe(`https://127.0.0.1:${httpsPort}/app/?q=1`);
    expect(result("redirection")).toBe("redirection-to-https");
    expect(result("strict-transport-security")).toBe("hsts-implemented-max-age-at-least-six-months");
    expect(result("content-security-policy")).toBe("csp-implemented-with-no-unsafe-default-src-none");
    // 100 + 10 (CSP) + 5 (referrer) + 5 (XFO via CSP); nothing is penalised.
    expect({ score: security.score, grade: security.grade }).toEqual({ score: 120, grade: "A+" });
    const route = security.tests.find((t) => t.name === "redirection")!.evidence[0]!;
    expect(evidence.get(route)!.snippet).toBe(
      `301 http://127.0.0.1:${httpPort}/app/?q=1 -> https://127.0.0.1:${httpsPort}/app/?q=1\n` +
        `200 https://127.0.0.1:${httpsPort}/app/?q=1`,
    );
  });

  it("both schemes serve: graded on https, and http:// is redirection-missing", async () => {
    const httpsPort = await https(page(STRONG_HEADERS));
    const httpPort = await http(page(WEAK_HEADERS));
    const { result, security } = await observe(`http://127.0.0.1:${httpPort}/`, { https: httpsPort });
    expect(result("redirection")).toBe("redirection-missing");
    expect(result("strict-transport-security")).toBe("hsts-implemented-max-age-at-least-six-months");
    expect(result("x-content-type-options")).toBe("x-content-type-options-nosniff");
    // -20 for the missing redirection drops the bonus: 100 - 20 = 80.
    expect({ score: security.score, grade: security.grade }).toEqual({ score: 80, grade: "B+" });
  });

  it("an https:// input still has its http:// form requested for the redirection test", async () => {
    const httpsPort = await https(page(STRONG_HEADERS));
    const httpPort = await http(redirectTo((req) => `https://127.0.0.1:${httpsPort}${req.url}`));
    const { result } = await observe(`https://127.0.0.1:${httpsPort}/`, { http: httpPort });
    expect(result("redirection")).toBe("redirection-to-https");
  });

  it("https only: redirection-not-needed-no-http", async () => {
    const httpsPort = await https(page(STRONG_HEADERS));
    const { retrieval, result } = await observe(`https://127.0.0.1:${httpsPort}/`, {
      http: await closedPort(),
    });
    expect(retrieval.http).toBeNull();
    expect(result("redirection")).toBe("redirection-not-needed-no-http");
    expect(result("strict-transport-security")).toBe("hsts-implemented-max-age-at-least-six-months");
  });

  it("http only: graded on http, hsts-not-implemented-no-https", async () => {
    const httpPort = await http(page(STRONG_HEADERS));
    const { retrieval, result } = await observe(`http://127.0.0.1:${httpPort}/`, {
      https: await closedPort(),
    });
    expect(retrieval.https).toBeNull();
    expect(result("redirection")).toBe("redirection-missing");
    expect(result("strict-transport-security")).toBe("hsts-not-implemented-no-https");
    expect(result("content-security-policy")).toBe("csp-implemented-with-no-unsafe-default-src-none");
  });

  it("redirects that stay on http, or leave the host first, as the Observatory names them", async () => {
    const httpsPort = await https(page(STRONG_HEADERS));
    const viaHttp = await http((req, res) => {
      const location = req.url === "/" ? "/next" : `https://127.0.0.1:${httpsPort}/`;
      res.writeHead(302, { location });
      res.end();
    });
    expect((await observe(`http://127.0.0.1:${viaHttp}/`, { https: httpsPort })).result("redirection")).toBe(
      "redirection-not-to-https-on-initial-redirection",
    );
    const offHost = await http(redirectTo(() => `https://www.observatory.test:${httpsPort}/`));
    expect((await observe(`http://127.0.0.1:${offHost}/`, { https: httpsPort })).result("redirection")).toBe(
      "redirection-off-host-from-http",
    );
    const target = await http(page(WEAK_HEADERS));
    const toHttp = await http(redirectTo(() => `http://127.0.0.1:${target}/`));
    expect((await observe(`http://127.0.0.1:${toHttp}/`, { https: httpsPort })).result("redirection")).toBe(
      "redirection-not-to-https",
    );
  });

  it("untrusted certificate: retried unverified; hsts-invalid-cert, redirection-invalid-cert", async () => {
    const httpsPort = await https(page(STRONG_HEADERS));
    const httpPort = await http(redirectTo((req) => `https://127.0.0.1:${httpsPort}${req.url}`));
    const { retrieval, result } = await observe(
      `http://127.0.0.1:${httpPort}/`,
      { https: httpsPort },
      { trust: false },
    );
    expect(retrieval.https?.verified).toBe(false);
    expect(retrieval.http?.verified).toBe(false);
    expect(result("strict-transport-security")).toBe("hsts-invalid-cert");
    expect(result("redirection")).toBe("redirection-invalid-cert");
  });
});

describe("truth: observatory CORS probe", () => {
  const servers: Server[] = [];
  afterAll(() => Promise.all(servers.map(close)));

  async function corsOf(handler: Handler) {
    const server = createHttpServer(handler);
    servers.push(server);
    const port = await listen(server);
    const open = () => new SafeFetcher({ allowPrivate: "loopback" });
    const retrieval = await retrieveForObservatory(`http://127.0.0.1:${port}/`, open, {
      https: await closedPort(),
    });
    const security = assessSecurity(
      snapshot(),
      { origin: "", robotsTxt: null, tls: null, dns: null, observatory: retrieval },
      new EvidenceSet(),
    );
    return {
      retrieval,
      result: security.tests.find((t) => t.name === "cross-origin-resource-sharing")!.result,
    };
  }

  it("OPTIONS with the Observatory's Origin; an origin-only policy is seen by the probe", async () => {
    const seen: { method?: string; origin?: string; acrm?: string }[] = [];
    const { retrieval, result } = await corsOf((req, res) => {
      seen.push({
        method: req.method,
        origin: req.headers.origin,
        acrm: req.headers["access-control-request-method"] as string | undefined,
      });
      const cors: Record<string, string> = req.headers.origin
        ? { "access-control-allow-origin": req.headers.origin, "access-control-allow-credentials": "true" }
        : {};
      res.writeHead(200, { "content-type": "text/html", ...cors });
      res.end(PAGE);
    });
    expect(seen).toContainEqual({ method: "OPTIONS", origin: OBSERVATORY_CORS_ORIGIN, acrm: "GET" });
    expect(retrieval.cors?.headers["access-control-allow-origin"]).toEqual([OBSERVATORY_CORS_ORIGIN]);
    // The Observatory's analyzer cannot read its own request's Origin back (see headerGradeInput),
    // so even this reflecting policy with credentials is restricted-access there.
    expect(result).toBe("cross-origin-resource-sharing-implemented-with-restricted-access");
  });

  it("public access from the probe's answer", async () => {
    const { result } = await corsOf(
      page({ "content-type": "text/html", "access-control-allow-origin": "*" }),
    );
    expect(result).toBe("cross-origin-resource-sharing-implemented-with-public-access");
  });

  it("a probe answered with a non-2xx status counts as not implemented, whatever GET says", async () => {
    const { retrieval, result } = await corsOf((req, res) => {
      res.writeHead(req.method === "OPTIONS" ? 405 : 200, {
        "content-type": "text/html",
        "access-control-allow-origin": "*",
      });
      res.end(PAGE);
    });
    expect(retrieval.cors).toBeNull();
    expect(result).toBe("cross-origin-resource-sharing-not-implemented");
  });
});

describe("truth: observatory grade through the scan stages", () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer({ sites: ["legacy-weak"] });
  });
  afterAll(() => server.close());

  it("siteContextStage records the Observatory's requests and securityStage grades from them", async () => {
    const url = server.url("legacy-weak");
    const settings = parseScanOptions({
      allowPrivate: "loopback",
      maxPages: 1,
      collectTls: false,
      collectDns: false,
    });
    const crawl = await crawlStage(url, settings);
    const home = crawl.pages[0]!;
    const { site } = await siteContextStage(crawl, settings);
    const observatory: ObservatoryRetrieval = site.observatory!;
    expect(observatory.http).toMatchObject({ requestedUrl: url, status: 200, verified: true });
    const { security } = securityStage(home, site);
    expect(security!.tests.find((t) => t.name === "redirection")!.result).toBe("redirection-missing");
    expect({ score: security!.score, grade: security!.grade }).toEqual({ score: 0, grade: "F" });
  });

  it("the Observatory's requests draw on the scan's byte budget", async () => {
    const url = server.url("legacy-weak");
    const settings = parseScanOptions({
      allowPrivate: "loopback",
      maxPages: 1,
      collectTls: false,
      collectDns: false,
    });
    const crawl = await crawlStage(url, settings);
    const budget = new ByteBudget(2048);
    const { site } = await siteContextStage(crawl, settings, { budget });
    expect(site.observatory!.http).not.toBeNull();
    expect(budget.used).toBeGreaterThanOrEqual(1589);
    // A budget smaller than the home page (1,589 bytes) leaves nothing to grade from.
    const starved = await siteContextStage(crawl, settings, { budget: new ByteBudget(1024) });
    expect(starved.site.observatory).toEqual({ http: null, https: null, cors: null });
  });
});

describe("truth: observatory session cookie jar", () => {
  /** The graded response of a session that went through `hops` (url, Set-Cookie lines) to `final`. */
  const jar = (hops: [string, string[]][], final: [string, string[]]) =>
    observatoryPage({
      requestedUrl: hops[0]?.[0] ?? final[0],
      url: final[0],
      status: 200,
      redirects: hops.map(([url, setCookie], i) => ({
        url,
        status: 301,
        location: hops[i + 1]?.[0] ?? final[0],
        setCookie,
      })),
      headers: { "content-type": ["text/html"], "set-cookie": final[1] },
      html: "",
      verified: true,
    }).cookies.map((c) => c.name);

  it("keeps cookies set on redirects, as the Observatory's cookie jar does", () => {
    expect(
      jar([["http://www.example.com/", ["hop_session=1; Path=/"]]], ["https://www.example.com/", []]),
    ).toEqual(["hop_session"]);
  });
  it("a later cookie of the same name, domain and path replaces an earlier one", () => {
    const names = jar(
      [["http://www.example.com/", ["SESSIONID=a; Path=/"]]],
      ["https://www.example.com/", ["SESSIONID=b; Path=/; Secure; HttpOnly", "SESSIONID=c; Path=/other"]],
    );
    expect(names).toEqual(["SESSIONID", "SESSIONID"]);
  });
  it("drops a Domain that is another site or a public suffix, and failed __Secure-/__Host- prefixes", () => {
    expect(
      jar(
        [],
        [
          "https://www.example.com/a/b",
          [
            "other=1; Domain=other.example.org",
            "suffix=1; Domain=com",
            "parent=1; Domain=.example.com",
            "__Secure-no=1",
            "__Secure-yes=1; Secure",
            "__Host-domain=1; Secure; Path=/; Domain=example.com",
            "__Host-path=1; Secure",
            "__Host-yes=1; Secure; Path=/",
          ],
        ],
      ),
    ).toEqual(["parent", "__Secure-yes", "__Host-yes"]);
  });
  it("a Domain on an IP address host is refused (no registrable domain)", () => {
    expect(jar([], ["http://127.0.0.1/", ["ip=1; Domain=127.0.0.1", "host=1"]])).toEqual(["host"]);
  });
});
