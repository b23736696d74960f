import { VULNERABILITY_SEVERITIES } from "@techscaniq/contracts/scan";

/**
 * Concrete, checkable facts in a claim: the things a reader would take as
 * observed ("jQuery 1.8.3", "CVE-2020-11022", "X-Frame-Options: DENY",
 * "57 requests", "https://cdn.example.com/app.js"). A claim is only published
 * when each of its facts appears in the evidence it cites.
 */

export type FactKind =
  | "url"
  | "host"
  | "cve"
  | "advisory"
  | "quoted"
  | "keyValue"
  | "header"
  | "headerValue"
  | "grade"
  | "severity"
  | "version"
  | "number"
  | "technology";

export interface Fact {
  kind: FactKind;
  value: string;
}

/** A vulnerable library's severity as the vulnerability database reports it. */
const SEVERITIES = VULNERABILITY_SEVERITIES.join("|");

const TLDS =
  "com|net|org|io|co|dev|app|ai|info|biz|edu|gov|cloud|tech|site|online|shop|store|xyz|me|tv|us|uk|de|fr|nl|es|it|se|no|dk|fi|ch|at|be|pl|cz|ie|pt|ru|jp|cn|in|au|ca|br|mx|nz|za|eu|asia|global|digital|agency|systems|services|solutions|example|test|local|localhost";

const HEADER_NAMES = [
  "Content-Security-Policy-Report-Only",
  "Content-Security-Policy",
  "Strict-Transport-Security",
  "X-Frame-Options",
  "X-Content-Type-Options",
  "X-XSS-Protection",
  "Referrer-Policy",
  "Permissions-Policy",
  "Feature-Policy",
  "Cross-Origin-Resource-Policy",
  "Cross-Origin-Opener-Policy",
  "Cross-Origin-Embedder-Policy",
  "Access-Control-Allow-Origin",
  "Access-Control-Allow-Credentials",
  "Set-Cookie",
  "Cache-Control",
  "Content-Type",
  "X-Powered-By",
  "X-Generator",
  "X-AspNet-Version",
  "X-Drupal-Cache",
  "Alt-Svc",
];
/** Header names that are also ordinary words: facts only when written as headers ("Server: nginx", "the Server header"). */
const WORD_HEADER_NAMES = ["Server", "Via", "ETag", "Expires", "Location"];

const PATTERNS = {
  url: /\bhttps?:\/\/[^\s<>"'`)\]]+/gi,
  cve: /\bCVE-\d{4}-\d{4,7}\b/gi,
  advisory: /\bGHSA(?:-[23456789cfghjmpqrvwx]{4}){3}\b/gi,
  quoted: /"([^"\n]{1,200})"|`([^`\n]{1,200})`|“([^”\n]{1,200})”/g,
  keyValue: /(?<![\w-])[A-Za-z][\w-]*=[^\s,;)"'`]+/g,
  host: new RegExp(
    `(?<![\\w.@/-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+(?:${TLDS})(?![\\w-]|\\.\\w)`,
    "gi",
  ),
  headerValue: new RegExp(
    `(?<![\\w-])(${[...HEADER_NAMES, ...WORD_HEADER_NAMES].map((h) => h.replace(/-/g, "\\-")).join("|")}|X-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*):\\s*([^\\s,;.]+(?:\\.[^\\s,;.]+)*)`,
    "gi",
  ),
  header: new RegExp(
    `(?<![\\w-])(?:${HEADER_NAMES.map((h) => h.replace(/-/g, "\\-")).join("|")}|X-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+)(?![\\w-])`,
    "gi",
  ),
  wordHeader: new RegExp(`\\b(${WORD_HEADER_NAMES.join("|")})(?= (?:response )?header)`, "g"),
  grade: /\bgrade(?:\s+(?:of|is))?\s+([A-F][+-]?)(?![\w+-])|(?<![\w])([A-F][+-]?)\s+grade\b/g,
  severity: new RegExp(
    `\\b(${SEVERITIES})[- ](?:severity|risk)\\b|\\bseverity\\s+(?:is\\s+|of\\s+)?(${SEVERITIES})\\b`,
    "gi",
  ),
  protocolVersion: /\b(?:TLS|SSL)\s?v?(\d(?:\.\d)?)(?![\w]|\.\d)/gi,
  version: /(?<![\w.])v?(\d+(?:\.\d+){2,3}(?:-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?)(?![\w]|\.\d)/g,
  number: /(?<![\w.,/#:-])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\w]|[.,]\d)/g,
};

/** Blank out what a pattern matched, so later patterns do not see parts of it again (a version inside a URL). */
function take(text: string, pattern: RegExp, onMatch: (match: RegExpMatchArray) => void): string {
  return text.replace(pattern, (...args: unknown[]) => {
    const groups = args.slice(0, -2).filter((arg) => typeof arg === "string" || arg === undefined) as (
      string | undefined
    )[];
    const match = Object.assign([...groups], { index: 0, input: text }) as unknown as RegExpMatchArray;
    onMatch(match);
    return " ".repeat(String(args[0]).length);
  });
}

function trimUrl(url: string): string {
  return url.replace(/[.,;:!?]+$/, "");
}

export function extractFacts(text: string, findTechnologies: (text: string) => string[]): Fact[] {
  const facts: Fact[] = [];
  const add = (kind: FactKind, value: string | undefined) => {
    if (!value) return;
    if (!facts.some((fact) => fact.kind === kind && fact.value.toLowerCase() === value.toLowerCase()))
      facts.push({ kind, value });
  };
  let rest = text;
  rest = take(rest, PATTERNS.url, (m) => add("url", trimUrl(m[0]!)));
  rest = take(rest, PATTERNS.cve, (m) => add("cve", m[0]!.toUpperCase()));
  rest = take(rest, PATTERNS.advisory, (m) => add("advisory", m[0]));
  rest = take(rest, PATTERNS.quoted, (m) => add("quoted", (m[1] ?? m[2] ?? m[3])?.trim()));
  rest = take(rest, PATTERNS.keyValue, (m) => add("keyValue", m[0]!.replace(/[.:]+$/, "")));
  rest = take(rest, PATTERNS.host, (m) => add("host", m[0]!.toLowerCase()));
  for (const name of findTechnologies(rest)) {
    add("technology", name);
    rest = rest.replace(new RegExp(escapeRegExp(name), "gi"), (match) => " ".repeat(match.length));
  }
  rest = take(rest, PATTERNS.headerValue, (m) => {
    add("header", m[1]);
    add("headerValue", m[2]);
  });
  rest = take(rest, PATTERNS.header, (m) => add("header", m[0]));
  rest = take(rest, PATTERNS.wordHeader, (m) => add("header", m[1]));
  rest = take(rest, PATTERNS.grade, (m) => add("grade", m[1] ?? m[2]));
  rest = take(rest, PATTERNS.severity, (m) => add("severity", (m[1] ?? m[2])?.toLowerCase()));
  rest = take(rest, PATTERNS.protocolVersion, (m) => add("version", m[1]));
  rest = take(rest, PATTERNS.version, (m) => add("version", m[1]));
  take(rest, PATTERNS.number, (m) => add("number", m[1]!.replace(/,/g, "")));
  return facts;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Lower case, single spaces, thousands separators dropped: the form facts are looked up in. */
export function normaliseHaystack(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/(\d),(?=\d{3}\b)/g, "$1");
}

/** True when `fact` is shown by `haystack` (already normalised with `normaliseHaystack`). */
export function factAppearsIn(fact: Fact, haystack: string): boolean {
  const value = fact.value.toLowerCase().replace(/\s+/g, " ");
  switch (fact.kind) {
    case "version":
    case "number":
      // Not part of a longer number: "1.8" is shown by "1.8.3", but "1.8.3" is not shown by "11.8.3" or "1.8.31".
      return new RegExp(`(?<![\\d]|\\d\\.)${escapeRegExp(value)}(?!\\d)`).test(haystack);
    case "url":
      return haystack.includes(value.replace(/\/$/, ""));
    case "grade":
      return new RegExp(`grade ${escapeRegExp(value)}(?![+\\-\\w])`).test(haystack);
    case "technology":
      return haystack.includes(value) || haystack.includes(value.replace(/\.js$/, ""));
    default:
      return haystack.includes(value);
  }
}
