import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFixtureServer, type FixtureServer } from "@techscaniq/fixtures";
import { EvidenceSet } from "../evidence";
import type { Headers, HttpProbe } from "../types";
import { gradeHeaders, type HeaderGradeInput } from "./observatory";
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

describe("redirection", () => {
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
  it("cross-origin-resource-sharing", () => {
    const origin = "https://http-observatory.security.mozilla.org";
    const cors = (headers: Headers) =>
      outcome("cross-origin-resource-sharing", { input: { cors: { requestOrigin: origin, headers } } });
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
