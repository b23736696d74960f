import { describe, expect, it } from "vitest";
import { extractFacts, factAppearsIn, normaliseHaystack, type Fact } from "./facts";
import { technologyNameFinder } from "./technology-names";

const find = technologyNameFinder(["Apache HTTP Server"]);
const facts = (text: string) => extractFacts(text, find).map((f: Fact) => `${f.kind}:${f.value}`);

describe("extractFacts on realistic report sentences", () => {
  const cases: [string, string[]][] = [
    [
      "The site runs WordPress 6.4.2 on Nginx 1.24.0.",
      ["technology:WordPress", "technology:Nginx", "version:6.4.2", "version:1.24.0"],
    ],
    [
      "jQuery 1.8.3 is affected by CVE-2020-11022 and CVE-2015-9251.",
      ["cve:CVE-2020-11022", "cve:CVE-2015-9251", "technology:jQuery", "version:1.8.3"],
    ],
    ["The Content-Security-Policy header is missing.", ["header:Content-Security-Policy"]],
    ["X-Frame-Options: DENY is set on the home page.", ["header:X-Frame-Options", "headerValue:DENY"]],
    [
      "Strict-Transport-Security is set with max-age=31536000 and includeSubDomains.",
      ["keyValue:max-age=31536000", "header:Strict-Transport-Security"],
    ],
    ["The home page weighs 1.8 MB across 64 requests.", ["number:1.8", "number:64"]],
    ["The page loaded in 2,140 ms.", ["number:2140"]],
    [
      "Scripts are loaded from https://www.googletagmanager.com/gtag/js?id=G-ABC123.",
      ["url:https://www.googletagmanager.com/gtag/js?id=G-ABC123"],
    ],
    ["Tracking requests go to connect.facebook.net.", ["host:connect.facebook.net"]],
    ["The HTTP security headers grade is C with a score of 55/100.", ["grade:C", "number:55"]],
    ["The site earns an A+ grade.", ["grade:A+"]],
    [
      "The library has a high-severity advisory GHSA-gxr4-xjj5-5px2.",
      ["advisory:GHSA-gxr4-xjj5-5px2", "severity:high"],
    ],
    ["The certificate negotiated TLSv1.3 and expires in 45 days.", ["version:1.3", "number:45"]],
    ["TLS 1.2 is still accepted.", ["version:1.2"]],
    ['The generator meta tag reads "WordPress 6.4.2".', ["quoted:WordPress 6.4.2"]],
    ["The DMARC record has p=none, so spoofed mail is not rejected.", ["keyValue:p=none"]],
    [
      "Next.js 14.1.0 and React 18.2.0 render the front end, hosted on Vercel.",
      ["technology:Next.js", "technology:React", "technology:Vercel", "version:14.1.0", "version:18.2.0"],
    ],
    [
      "The server banner discloses Apache HTTP Server 2.2.15 and PHP 5.3.3.",
      ["technology:Apache HTTP Server", "technology:PHP", "version:2.2.15", "version:5.3.3"],
    ],
    ["Google Analytics and Hotjar are present.", ["technology:Google Analytics", "technology:Hotjar"]],
    [
      "The Server header reveals Apache HTTP Server; Server: nginx/1.24.0 elsewhere.",
      ["header:Server", "headerValue:nginx/1.24.0", "technology:Apache HTTP Server"],
    ],
    ["The X-Powered-By header reveals the PHP version.", ["header:X-Powered-By", "technology:PHP"]],
    ["Consider adding a Content Security Policy to reduce cross-site scripting risk.", []],
    ["A medium severity issue was found.", ["severity:medium"]],
    ["Just a handful of third parties are used, which keeps the flow simple.", []],
    ["Medium-term, the team should plan an upgrade.", []],
    ["Node.js is not observable from the outside.", ["technology:Node.js"]],
    ["The site uses HTTP/2.", ["technology:HTTP/2"]],
    ["In 2024 the company rebuilt its storefront.", ["number:2024"]],
    ["Upgrade jquery-1.8.3.min.js to 3.7.1 or later.", ["version:1.8.3", "version:3.7.1"]],
  ];
  it.each(cases)("%s", (sentence, expected) => {
    expect(facts(sentence).sort()).toEqual([...expected].sort());
  });
});

describe("factAppearsIn", () => {
  const hay = normaliseHaystack(
    "Server: Apache/2.2.15 (CentOS) /*! jQuery v1.8.3 jquery.com */ load 2,140 ms HTTP security headers grade C+ with score 55/100.",
  );
  const has = (kind: Fact["kind"], value: string) => factAppearsIn({ kind, value }, hay);
  it("matches versions only as whole numbers, allowing a less precise one", () => {
    expect(has("version", "2.2.15")).toBe(true);
    expect(has("version", "1.8.3")).toBe(true);
    expect(has("version", "1.8")).toBe(true);
    expect(has("version", "2.2.1")).toBe(false);
    expect(has("version", "8.3")).toBe(false);
    expect(has("version", "1.8.31")).toBe(false);
  });
  it("matches numbers with or without thousands separators, and grades exactly", () => {
    expect(has("number", "2140")).toBe(true);
    expect(has("number", "214")).toBe(false);
    expect(has("grade", "C+")).toBe(true);
    expect(has("grade", "C")).toBe(false);
  });
  it("matches names case-insensitively", () => {
    expect(has("technology", "jQuery")).toBe(true);
    expect(has("technology", "React")).toBe(false);
  });
});
