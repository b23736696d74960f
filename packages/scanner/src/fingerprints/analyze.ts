import type { EvidenceKind } from "../evidence";
import type { PageSnapshot, SiteContext } from "../types";
import {
  type CompiledPattern,
  type DomSelectorRule,
  type FingerprintDatabase,
  type ListKind,
  type LiteralIndex,
  getFingerprintDatabase,
} from "./compile";
import { type DomNode, type PageInputs, extractPageInputs, nodeText, openingTagSource } from "./page";
import { resolveVersionTemplate } from "./pattern";
import { TextIndex } from "./text-index";

/** One pattern that matched one value: the raw material of a finding and of its evidence. */
export interface PatternMatch {
  pattern: CompiledPattern;
  evidenceKind: EvidenceKind;
  url: string;
  locator: string;
  /** The text that shows the match (a header line, a tag, a URL, the lines around a match in a page). */
  snippet: string;
  /** Where the match starts inside `snippet`. */
  focus: number;
  /** Version from the pattern's template, "" when it has none. */
  version: string;
}

/** How much text around a match in a long value goes into the snippet, each side. */
const CONTEXT = 120;
/** Selectors matching more nodes than this are only read on the first ones, as Wappalyzer does. */
const MAX_DOM_NODES = 50;

/** The lines around `[start, end)` of `text`, at most CONTEXT characters either side. */
export function around(text: string, start: number, end: number): { snippet: string; focus: number } {
  const from = Math.max(text.lastIndexOf("\n", start - 1) + 1, start - CONTEXT);
  const newline = text.indexOf("\n", end);
  const to = Math.min(newline === -1 ? text.length : newline, end + CONTEXT);
  return { snippet: text.slice(from, Math.max(to, end)), focus: start - from };
}

export function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

function execPattern(pattern: CompiledPattern, value: string, lower?: string): RegExpExecArray | null {
  if (pattern.regex === null) {
    const whole = [value] as unknown as RegExpExecArray;
    whole.index = 0;
    return whole;
  }
  if (pattern.literals) {
    const haystack = lower ?? value.toLowerCase();
    if (!pattern.literals.some((literal) => haystack.includes(literal))) return null;
  }
  return pattern.regex.exec(value);
}

interface MatchSink {
  matches: PatternMatch[];
}

type Describe = (match: RegExpExecArray) => Omit<PatternMatch, "pattern" | "version">;

function tryPattern(
  sink: MatchSink,
  pattern: CompiledPattern,
  value: string,
  describe: Describe,
  lower?: string,
): boolean {
  const match = execPattern(pattern, value, lower);
  if (!match) return false;
  sink.matches.push({ pattern, version: resolveVersionTemplate(pattern.version, match), ...describe(match) });
  return true;
}

/**
 * Patterns of a list kind whose literals occur somewhere in the indexed values
 * (all of them when a pattern has none), in list order, so matches come out in
 * the same order whatever the index finds first.
 */
export function candidates(db: FingerprintDatabase, kind: ListKind, index: TextIndex): CompiledPattern[] {
  const list = db.lists[kind];
  const chosen = new Uint8Array(list.length);
  chooseByLiterals(db.literalIndexes[kind], index, chosen);
  return inListOrder(list, chosen);
}

/** Mark (in `chosen`) the entries of `literals` that the indexed text lets through. */
function chooseByLiterals(literals: LiteralIndex, index: TextIndex, chosen: Uint8Array): void {
  for (const position of literals.always) chosen[position] = 1;
  const { hashes, starts, positionsOf } = literals;
  for (let i = 0; i < literals.literals.length; i++) {
    if (!index.containsHashed(literals.literals[i]!, hashes, starts[i]!, starts[i + 1]!)) continue;
    for (const position of positionsOf[i]!) chosen[position] = 1;
  }
}

function inListOrder<T>(list: T[], chosen: Uint8Array): T[] {
  const result: T[] = [];
  for (let position = 0; position < list.length; position++)
    if (chosen[position]) result.push(list[position]!);
  return result;
}

/** Run a list kind over long texts (pages, scripts, styles): the snippet is the lines around the match. */
function matchTexts(
  sink: MatchSink,
  db: FingerprintDatabase,
  kind: ListKind,
  evidenceKind: EvidenceKind,
  url: string,
  texts: { locator: string; content: string; lineLocator?: boolean }[],
  index?: TextIndex,
): void {
  if (texts.length === 0) return;
  const lowered = index && texts.length === 1 ? [index.text] : texts.map((t) => t.content.toLowerCase());
  for (const pattern of candidates(db, kind, index ?? new TextIndex(lowered.join("\n")))) {
    texts.forEach((text, i) => {
      tryPattern(
        sink,
        pattern,
        text.content,
        (m) => ({
          evidenceKind,
          url,
          locator: text.lineLocator ? `line ${lineOf(text.content, m.index)}` : text.locator,
          ...around(text.content, m.index, m.index + m[0].length),
        }),
        lowered[i],
      );
    });
  }
}

/** Run a list kind over short values (URLs, hosts): the snippet is the whole value. */
function matchValues(
  sink: MatchSink,
  db: FingerprintDatabase,
  kind: ListKind,
  evidenceKind: EvidenceKind,
  url: string,
  values: { locator: string; value: string }[],
): void {
  if (values.length === 0) return;
  const lowered = values.map((v) => v.value.toLowerCase());
  for (const pattern of candidates(db, kind, new TextIndex(lowered.join("\n")))) {
    values.forEach((v, i) => {
      tryPattern(
        sink,
        pattern,
        v.value,
        (m) => ({ evidenceKind, url, locator: v.locator, snippet: v.value, focus: m.index }),
        lowered[i],
      );
    });
  }
}

function matchHeaders(sink: MatchSink, db: FingerprintDatabase, page: PageSnapshot): void {
  for (const [name, values] of Object.entries(page.headers)) {
    const patterns = db.keyed.headers.get(name.toLowerCase());
    if (!patterns) continue;
    // Lower-cased once per value, not once per pattern tried on it (a server header meets ~100).
    const lowered = values.map((value) => value.toLowerCase());
    for (const pattern of patterns) {
      values.forEach((value, i) => {
        const prefix = `${name}: `;
        tryPattern(
          sink,
          pattern,
          value,
          (m) => ({
            evidenceKind: "header",
            url: page.url,
            locator: name.toLowerCase(),
            snippet: prefix + value,
            focus: prefix.length + m.index,
          }),
          lowered[i],
        );
      });
    }
  }
}

function matchCookies(sink: MatchSink, db: FingerprintDatabase, inputs: PageInputs): void {
  for (const [key, { name, values }] of inputs.cookies) {
    const patterns = [
      ...(db.keyed.cookies.get(key) ?? []),
      ...db.cookieGlobs.filter((glob) => glob.name.test(key)).flatMap((glob) => glob.patterns),
    ];
    const lowered = values.map((value) => value.toLowerCase());
    for (const pattern of patterns) {
      values.forEach((value, i) => {
        const prefix = `${name}=`;
        tryPattern(
          sink,
          pattern,
          value,
          (m) => ({
            evidenceKind: "cookie",
            url: inputs.url,
            locator: name,
            snippet: prefix + value,
            focus: prefix.length + m.index,
          }),
          lowered[i],
        );
      });
    }
  }
}

function matchMeta(sink: MatchSink, db: FingerprintDatabase, inputs: PageInputs): void {
  for (const [name, tags] of inputs.meta) {
    const patterns = db.keyed.meta.get(name);
    if (!patterns) continue;
    const lowered = tags.map((tag) => tag.content.toLowerCase());
    for (const pattern of patterns) {
      tags.forEach((tag, i) => {
        const describe: Describe = (m) => {
          const at = tag.source.indexOf(tag.content);
          return {
            evidenceKind: "meta",
            url: inputs.url,
            locator: `meta[name="${name}"]`,
            snippet: tag.source || tag.content,
            focus: Math.max(0, at) + m.index,
          };
        };
        tryPattern(sink, pattern, tag.content, describe, lowered[i]);
      });
    }
  }
}

function matchJs(sink: MatchSink, db: FingerprintDatabase, page: PageSnapshot): void {
  for (const [path, value] of Object.entries(page.js)) {
    const patterns = db.keyed.js.get(path);
    if (!patterns) continue;
    const text = value === null ? "" : String(value);
    const prefix = `${path} = `;
    for (const pattern of patterns) {
      tryPattern(sink, pattern, text, (m) => ({
        evidenceKind: "js",
        url: page.url,
        locator: path,
        snippet: prefix + JSON.stringify(value),
        focus: prefix.length + m.index,
      }));
    }
  }
}

const NO_ELEMENTS: DomNode[] = [];
const NO_POSITIONS: number[] = [];

/**
 * The elements `rule.selector` matches, in document order, as a query of the
 * whole document would return them; but when the rule names its subjects,
 * only the elements carrying the rarest subject name of each alternative are
 * tested (most selectors then test a handful of elements, or none).
 */
export function selectElements(rule: DomSelectorRule, inputs: PageInputs): DomNode[] {
  if (!rule.readsElements) return NO_ELEMENTS;
  if (!rule.subjects) return inputs.$(rule.selector).toArray() as unknown as DomNode[];
  const perAlternative = rule.subjects.map((names) =>
    names
      .map((name) => inputs.elementsByName.get(name) ?? NO_ELEMENTS)
      .reduce((rarest, elements) => (elements.length < rarest.length ? elements : rarest)),
  );
  let tried = perAlternative[0]!;
  if (perAlternative.length > 1) {
    tried = [...new Set(perAlternative.flat())].sort(
      (a, b) => inputs.documentOrder.get(a)! - inputs.documentOrder.get(b)!,
    );
  }
  if (tried.length === 0) return NO_ELEMENTS;
  return inputs
    .$(tried as unknown as Parameters<PageInputs["$"]>[0])
    .filter(rule.selector)
    .toArray() as unknown as DomNode[];
}

/** The DOM rules that may match (needing a value or name the page has, or nothing), in rule order. */
export function domRulesToCheck(db: FingerprintDatabase, inputs: PageInputs): DomSelectorRule[] {
  const chosen = new Uint8Array(db.dom.length);
  chooseByLiterals(db.domIndex.byValue, inputs.htmlIndex, chosen);
  for (const name of inputs.elementsByName.keys()) {
    for (const position of db.domIndex.byName.get(name) ?? NO_POSITIONS) chosen[position] = 1;
  }
  return inListOrder(db.dom, chosen);
}

function matchDom(sink: MatchSink, db: FingerprintDatabase, inputs: PageInputs, page: PageSnapshot): void {
  const present = (token: string) =>
    token.startsWith("v:") ? inputs.htmlIndex.contains(token.slice(2)) : inputs.elementsByName.has(token);
  for (const rule of domRulesToCheck(db, inputs)) {
    if (rule.requirements && !rule.requirements.some((tokens) => tokens.every(present))) continue;
    if (rule.attributes && !rule.attributes.some(present)) continue;
    let nodes: DomNode[];
    try {
      nodes = selectElements(rule, inputs).slice(0, MAX_DOM_NODES);
    } catch {
      continue;
    }
    const properties = page.domProperties?.[rule.selector];
    if (nodes.length === 0 && !properties) continue;
    const base = { evidenceKind: "dom" as const, url: inputs.url, locator: rule.selector };
    for (const pattern of rule.patterns) {
      const part = pattern.domPart;
      if (part?.type === "property") {
        const value = properties?.[part.name];
        if (value === undefined) continue;
        const prefix = `${part.name} = `;
        tryPattern(sink, pattern, value === null ? "" : String(value), (m) => ({
          ...base,
          snippet: prefix + JSON.stringify(value),
          focus: prefix.length + m.index,
        }));
        continue;
      }
      for (const node of nodes) {
        const tag = openingTagSource(inputs.html, node);
        let matched = false;
        if (part?.type === "exists") {
          matched = tryPattern(sink, pattern, "", () => ({ ...base, snippet: tag, focus: 0 }));
        } else if (part?.type === "text") {
          const text = nodeText(node).trim();
          if (text)
            matched = tryPattern(sink, pattern, text, (m) => ({
              ...base,
              ...around(text, m.index, m.index + m[0].length),
            }));
        } else if (part?.type === "attribute") {
          const value = node.attribs?.[part.name];
          if (value !== undefined) {
            matched = tryPattern(sink, pattern, value, (m) => {
              const at = tag.indexOf(value);
              return { ...base, snippet: tag, focus: Math.max(0, at) + m.index };
            });
          }
        }
        if (matched) break;
      }
    }
  }
}

/** Every pattern of the database that matches one page. */
export function analyzePage(
  page: PageSnapshot,
  db: FingerprintDatabase = getFingerprintDatabase(),
): PatternMatch[] {
  const sink: MatchSink = { matches: [] };
  const inputs = extractPageInputs(page);
  matchHeaders(sink, db, page);
  matchCookies(sink, db, inputs);
  matchMeta(sink, db, inputs);
  matchJs(sink, db, page);
  matchDom(sink, db, inputs, page);
  matchTexts(
    sink,
    db,
    "html",
    "html",
    page.url,
    [{ locator: "html", content: inputs.html, lineLocator: true }],
    inputs.htmlIndex,
  );
  if (inputs.text)
    matchTexts(sink, db, "text", "html", page.url, [{ locator: "text", content: inputs.text }]);
  matchTexts(sink, db, "css", "css", page.url, inputs.styles);
  matchTexts(sink, db, "scripts", "script", page.url, inputs.scripts);
  matchValues(
    sink,
    db,
    "scriptSrc",
    "scriptSrc",
    page.url,
    inputs.scriptSrc.map((src) => ({ locator: src, value: src })),
  );
  matchValues(sink, db, "url", "url", page.url, [{ locator: "url", value: page.url }]);
  const xhrHosts = new Map<string, string>();
  for (const request of page.requests) {
    if (request.resourceType !== "xhr" && request.resourceType !== "fetch") continue;
    try {
      const host = new URL(request.url).hostname;
      if (!xhrHosts.has(host)) xhrHosts.set(host, request.url);
    } catch {
      // A request URL the browser reported but URL cannot parse carries no host to match.
    }
  }
  matchValues(
    sink,
    db,
    "xhr",
    "network",
    page.url,
    [...xhrHosts].map(([host, url]) => ({ locator: url, value: host })),
  );
  return sink.matches;
}

const DNS_TYPES = ["mx", "txt", "ns", "cname", "a", "aaaa"] as const;

/** Patterns that match what is known about the site as a whole: DNS, certificate issuer, robots.txt. */
export function analyzeSite(
  site: SiteContext,
  db: FingerprintDatabase = getFingerprintDatabase(),
): PatternMatch[] {
  const sink: MatchSink = { matches: [] };
  if (site.dns) {
    const dns = site.dns;
    const records: Record<(typeof DNS_TYPES)[number], string[]> = {
      mx: dns.mx.map((mx) => mx.exchange),
      txt: dns.txt,
      ns: dns.ns,
      cname: dns.cname,
      a: dns.a,
      aaaa: dns.aaaa,
    };
    for (const type of DNS_TYPES) {
      const patterns = db.keyed.dns.get(type);
      if (!patterns) continue;
      for (const pattern of patterns) {
        for (const record of records[type]) {
          const prefix = `${type.toUpperCase()} `;
          tryPattern(sink, pattern, record, (m) => ({
            evidenceKind: "dns",
            url: dns.host,
            locator: type.toUpperCase(),
            snippet: prefix + record,
            focus: prefix.length + m.index,
          }));
        }
      }
    }
  }
  if (site.tls?.issuer) {
    matchValues(sink, db, "certIssuer", "tls", site.tls.host, [
      { locator: "certificate issuer", value: site.tls.issuer },
    ]);
  }
  if (site.robotsTxt) {
    matchTexts(sink, db, "robots", "robots", new URL("/robots.txt", site.origin).href, [
      { locator: "robots.txt", content: site.robotsTxt, lineLocator: true },
    ]);
  }
  return sink.matches;
}
