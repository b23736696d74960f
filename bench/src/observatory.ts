/**
 * ./techscaniq bench observatory --observatory DIR — grades the same sites on
 * 127.0.0.1 with the MDN HTTP Observatory's own code (its retriever, analyzer
 * tests and grader) and with ours, and prints where they differ and how often
 * grade and score are equal. DIR is an installed `@mdn/mdn-http-observatory`
 * (MPL-2.0), kept out of this repository (it pulls Postgres and HTTP server
 * code); install it anywhere, e.g.
 *   npm install --prefix /tmp/obs --ignore-scripts @mdn/mdn-http-observatory@1.4.8
 *   echo '{}' > /tmp/obs/node_modules/@mdn/mdn-http-observatory/conf/hsts-preload.json
 * (its postinstall downloads the HSTS preload list; an empty one matches ours).
 * Scenarios: how http:// answers × how https:// answers × header sets, with
 * the scanned URL alternately given as http:// and https://.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo, Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs, promisify } from "node:util";
import { rootCertificates, setDefaultCACertificates } from "node:tls";
import { assessSecurity, EvidenceSet, retrieveForObservatory, SafeFetcher } from "@techscaniq/scanner";
import { snapshotFromHtml } from "@techscaniq/scanner/fingerprints";

const { values } = parseArgs({ options: { observatory: { type: "string" } } });
if (!values.observatory) throw new Error("--observatory must name an installed @mdn/mdn-http-observatory");
const observatoryDir = path.resolve(values.observatory);
const load = async (file: string) => import(pathToFileURL(path.join(observatoryDir, file)).href);
const { retrieve } = await load("src/retriever/retriever.js");
const { ALL_TESTS } = await load("src/constants.js");
const { getGradeForScore, getScoreModifier } = await load("src/grader/grader.js");
const { MINIMUM_SCORE_FOR_EXTRA_CREDIT } = await load("src/grader/charts.js");

/** A self-signed certificate for 127.0.0.1 and localhost, trusted by both clients in this process. */
async function certificate(dir: string, name: string): Promise<{ cert: string; key: string }> {
  await promisify(execFile)("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-keyout",
    path.join(dir, `${name}.key`),
    "-out",
    path.join(dir, `${name}.pem`),
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ]);
  return {
    cert: readFileSync(path.join(dir, `${name}.pem`), "utf8"),
    key: readFileSync(path.join(dir, `${name}.key`), "utf8"),
  };
}
const certDir = mkdtempSync(path.join(tmpdir(), "bench-observatory-"));
const trusted = await certificate(certDir, "trusted");
const untrusted = await certificate(certDir, "untrusted");
rmSync(certDir, { recursive: true });
setDefaultCACertificates([...rootCertificates, trusted.cert]);

/** Response headers and body of a page; "x-cors: reflect" answers any Origin with it and credentials. */
const HEADER_SETS: { headers: Record<string, string | string[]>; html: string }[] = [
  { headers: {}, html: "<html><head></head><body>plain</body></html>" },
  {
    headers: {
      "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
      "strict-transport-security": "max-age=63072000; includeSubDomains",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cross-origin-resource-policy": "same-origin",
    },
    html: "<html><head></head><body></body></html>",
  },
  {
    headers: { "set-cookie": ["SESSIONID=abc; Path=/"], "strict-transport-security": "max-age=31536000" },
    html: '<html><head><script src="/app.js"></script></head></html>',
  },
  {
    headers: {
      "set-cookie": [
        "sessionid=abc; Path=/; Secure; HttpOnly; SameSite=Lax",
        "pref=1; Secure; SameSite=Strict",
      ],
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
    },
    html: "<html></html>",
  },
  { headers: { "x-cors": "reflect" }, html: "<html></html>" },
  { headers: { "access-control-allow-origin": "*", "referrer-policy": "unsafe-url" }, html: "<html></html>" },
  {
    headers: {
      "strict-transport-security": "max-age=300",
      "content-security-policy": "script-src 'self' 'unsafe-inline'",
    },
    html: '<html><head><script src="http://cdn.example.com/x.js"></script></head></html>',
  },
  {
    headers: {},
    html:
      '<html><head><meta http-equiv="Content-Security-Policy" content="default-src \'self\'">' +
      '<meta name="referrer" content="same-origin"><script src="https://cdn.example.com/x.js" ' +
      'integrity="sha384-abc" crossorigin="anonymous"></script></head></html>',
  },
  {
    headers: {
      "strict-transport-security": ["max-age=31536000", "max-age=31536000"],
      "x-content-type-options": ["nosniff", "nosniff"],
      "set-cookie": ["SESSIONID=x; Path=/", "SESSIONID=; Path=/; Max-Age=0"],
    },
    html: '<html><head><script src="//cdn.example.com/a.js"></script></head></html>',
  },
  {
    headers: {
      "content-type": "application/json",
      "set-cookie": ["sessionid=1; Domain=other.example; Path=/; HttpOnly"],
    },
    html: '{"a": 1}',
  },
  {
    headers: {
      "set-cookie": ["csrftoken=1; Secure", "a=1; Secure; SameSite=Foo"],
      "strict-transport-security": "includeSubDomains",
    },
    html:
      '<html><head><script src="app.js"></script>' +
      '<script src="https://127.0.0.1/x.js"></script></head></html>',
  },
  {
    headers: {
      "content-security-policy-report-only": "default-src 'none'",
      "x-frame-options": "ALLOW-FROM https://x.example",
      "cross-origin-resource-policy": "whatever",
      "referrer-policy": "no-referrer, whimsy",
    },
    html: "<html></html>",
  },
];

const HTTP_MODES = [
  "redirect-https",
  "page",
  "closed",
  "via-http",
  "to-http-only",
  "off-host",
  "redirect-elsewhere",
] as const;
const HTTPS_MODES = ["page", "closed", "untrusted", "to-http"] as const;
interface Scenario {
  http: (typeof HTTP_MODES)[number];
  https: (typeof HTTPS_MODES)[number];
  set: number;
  inputScheme: "http" | "https";
}
const scenarios: Scenario[] = [];
for (const http of HTTP_MODES)
  for (const https of HTTPS_MODES)
    for (let set = 0; set < HEADER_SETS.length; set++)
      scenarios.push({ http, https, set, inputScheme: set % 2 ? "https" : "http" });

const listen = async (s: Server) => {
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return (s.address() as AddressInfo).port;
};
const ports = { http: 0, https: 0, untrusted: 0, closed: 0 };
const httpsPortOf = (s: Scenario) =>
  s.https === "closed" ? ports.closed : s.https === "untrusted" ? ports.untrusted : ports.https;

function servePage(req: IncomingMessage, res: ServerResponse, set: number) {
  const { headers, html } = HEADER_SETS[set]!;
  const out: Record<string, string | string[]> = { "content-type": "text/html; charset=utf-8" };
  for (const [k, v] of Object.entries(headers)) if (k !== "x-cors") out[k] = v;
  if (headers["x-cors"] && req.headers.origin) {
    out["access-control-allow-origin"] = req.headers.origin;
    out["access-control-allow-credentials"] = "true";
  }
  res.writeHead(200, out);
  res.end(html);
}

function handler(scheme: "http" | "https") {
  return (req: IncomingMessage, res: ServerResponse) => {
    const m = /^\/s(\d+)\/(.*)$/.exec(req.url ?? "");
    const s = m ? scenarios[Number(m[1])] : undefined;
    if (!s) return res.writeHead(404).end();
    const rest = m![2];
    const base = `/s${m![1]}/`;
    // Header set 2 also sets a cookie on every redirect: the Observatory's cookie jar keeps those.
    const hopCookie = s.set === 2 ? { "set-cookie": "hop_session=1; Path=/" } : {};
    const redirect = (location: string, status = 301) =>
      res.writeHead(status, { location, ...hopCookie }).end();
    const httpsUrl = `https://127.0.0.1:${httpsPortOf(s)}${base}`;
    if (scheme === "https") {
      if (s.https === "to-http" && rest === "")
        return redirect(`http://127.0.0.1:${ports.http}${base}landing`);
      return servePage(req, res, s.set);
    }
    // Pages reached over http in a chain serve the next header set (so "graded on which scheme" shows).
    const other = (s.set + 1) % HEADER_SETS.length;
    switch (s.http) {
      case "redirect-https":
        return rest === "" ? redirect(httpsUrl) : servePage(req, res, other);
      case "page":
        return servePage(req, res, other);
      case "via-http":
        return rest === ""
          ? redirect(`${base}step`, 302)
          : rest === "step"
            ? redirect(httpsUrl)
            : servePage(req, res, other);
      case "to-http-only":
        return rest === "" ? redirect(`${base}final`) : servePage(req, res, other);
      case "redirect-elsewhere":
        return rest === "" ? redirect(`https://127.0.0.1:${ports.https}${base}`) : servePage(req, res, other);
      case "off-host":
        return rest === ""
          ? redirect(`https://localhost:${httpsPortOf(s)}${base}`)
          : servePage(req, res, other);
      default:
        return res.writeHead(500).end();
    }
  };
}

/** Its retriever with ports and path, then its tests and scoring exactly as its scanner/index.js runs them. */
async function observatory(s: Scenario, n: number) {
  const r = await retrieve("127.0.0.1", {
    httpPort: s.http === "closed" ? ports.closed : ports.http,
    httpsPort: httpsPortOf(s),
    path: `/s${n}/`,
  });
  if (!r.responses.auto) return null;
  const results = ALL_TESTS.map((t: (r: unknown) => { result: string }) => t(r));
  let withBonus = 100;
  let penalised = 100;
  const tests: Record<string, string> = {};
  for (const o of results) {
    const mod = getScoreModifier(o.result);
    withBonus += mod;
    if (mod < 0) penalised += mod;
    tests[(o.constructor as { name: string }).name] = o.result;
  }
  const score = Math.max(penalised >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withBonus : penalised, 0);
  return { score, grade: getGradeForScore(score).grade as string, tests };
}

/** Our retriever and grade, with the scanned URL given as http:// or https:// by turns. */
async function ours(s: Scenario, n: number) {
  const httpPort = s.http === "closed" ? ports.closed : ports.http;
  const httpsPort = httpsPortOf(s);
  const url =
    s.inputScheme === "http"
      ? `http://127.0.0.1:${httpPort}/s${n}/`
      : `https://127.0.0.1:${httpsPort}/s${n}/`;
  const open = (verifyCertificates: boolean) =>
    new SafeFetcher({
      allowPrivate: "loopback",
      verifyCertificates,
      resolver: async () => [{ address: "127.0.0.1", family: 4 as const }],
    });
  const retrieval = await retrieveForObservatory(url, open, { http: httpPort, https: httpsPort });
  if (!retrieval.http && !retrieval.https) return null;
  const sec = assessSecurity(
    snapshotFromHtml({ url, html: "" }),
    { origin: "", robotsTxt: null, tls: null, dns: null, observatory: retrieval },
    new EvidenceSet(),
  );
  return {
    score: sec.score,
    grade: sec.grade,
    tests: Object.fromEntries(sec.tests.map((t) => [t.name, t.result])),
  };
}

async function main() {
  const servers = [
    createHttp(handler("http")),
    createHttps(trusted, handler("https")),
    createHttps(untrusted, handler("https")),
  ];
  ports.http = await listen(servers[0]!);
  ports.https = await listen(servers[1]!);
  ports.untrusted = await listen(servers[2]!);
  const unused = createHttp();
  ports.closed = await listen(unused);
  await new Promise<void>((resolve) => unused.close(() => resolve()));
  // A case is a scenario the Observatory grades (it refuses a site where neither scheme answers);
  // ours must grade it too, with the same grade, score and test results.
  let cases = 0;
  let equalGrade = 0;
  let equalTests = 0;
  for (const [n, s] of scenarios.entries()) {
    const [theirs, mine] = [await observatory(s, n), await ours(s, n)];
    if (!theirs) {
      if (mine) console.log(`#${n} ${JSON.stringify(s)}: the Observatory cannot grade it, ours can`);
      continue;
    }
    cases++;
    if (mine?.score === theirs.score && mine.grade === theirs.grade) equalGrade++;
    else {
      const got = mine ? `${mine.score} ${mine.grade}` : "no grade";
      console.log(`#${n} ${JSON.stringify(s)}: observatory ${theirs.score} ${theirs.grade}, ours ${got}`);
    }
    for (const [name, result] of Object.entries(theirs.tests)) {
      if (mine?.tests[name] === result) equalTests++;
      else console.log(`   ${name}: observatory ${result}, ours ${mine?.tests[name] ?? "-"}`);
    }
  }
  console.log(
    `${scenarios.length} scenarios, ${cases} graded by the Observatory; ` +
      `grade and score equal ${equalGrade}/${cases} (${(equalGrade / cases).toFixed(3)}); ` +
      `test results equal ${equalTests}/${cases * ALL_TESTS.length}`,
  );
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
}

await main();
