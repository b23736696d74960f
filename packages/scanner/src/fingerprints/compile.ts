import { load } from "cheerio/slim";
import { boundQuantifiers, parsePattern, requiredLiterals } from "./pattern";
import { type Category, type RuleSet, type TechnologyRule, loadRuleSet } from "./rules";
import { literalTrigramHashes } from "./text-index";

/** Where a pattern looks. Keyed kinds (headers, cookies, meta, js, dns, dom) look at one named value. */
export type SourceKind =
  | "headers"
  | "cookies"
  | "meta"
  | "js"
  | "dns"
  | "dom"
  | "html"
  | "text"
  | "css"
  | "scriptSrc"
  | "scripts"
  | "url"
  | "certIssuer"
  | "robots"
  | "xhr";

export type ListKind =
  "html" | "text" | "css" | "scriptSrc" | "scripts" | "url" | "certIssuer" | "robots" | "xhr";
export type KeyedKind = "headers" | "cookies" | "meta" | "js" | "dns";

const LIST_KINDS: ListKind[] = [
  "html",
  "text",
  "css",
  "scriptSrc",
  "scripts",
  "url",
  "certIssuer",
  "robots",
  "xhr",
];
const KEYED_KINDS: KeyedKind[] = ["headers", "cookies", "meta", "js", "dns"];

/** What a `dom` pattern reads from the elements its selector matches. */
export type DomPart =
  | { type: "exists" }
  | { type: "text" }
  | { type: "attribute"; name: string }
  | { type: "property"; name: string };

export interface CompiledTechnology {
  name: string;
  categories: number[];
  categoryNames: string[];
  website: string | null;
  implies: { name: string; confidence: number; version: string }[];
  excludes: string[];
  requires: string[];
  requiresCategory: number[];
}

export interface CompiledPattern {
  /** Unique per pattern, so a pattern matched on several pages counts once. */
  id: number;
  technology: CompiledTechnology;
  kind: SourceKind;
  /** Header name, cookie name, meta name, JS path, DNS record type or CSS selector; null for list kinds. */
  key: string | null;
  domPart: DomPart | null;
  source: string;
  /** null: the pattern is empty and matches any value that is present. */
  regex: RegExp | null;
  /** Lower-case texts of which every match contains one, checked before running the regex; null: always run. */
  literals: string[] | null;
  confidence: number;
  version: string;
}

/**
 * Distinct literals, each pointing at the entries (patterns of a list kind,
 * DOM rules) that need one of theirs. A page is checked against each distinct
 * literal once, with trigram hashes computed here at compile time, instead of
 * testing every entry's literals per call: selection costs one bitset probe
 * per literal, and no closures or hashing per entry.
 */
export interface LiteralIndex {
  literals: string[];
  /** Trigram hashes of all literals one after another: literal i's are hashes[starts[i] .. starts[i + 1]). */
  hashes: Uint32Array;
  starts: Uint32Array;
  /** Positions (in the indexed list) of the entries that literal i lets through. */
  positionsOf: number[][];
  /** Positions of the entries without literals, always let through. */
  always: number[];
}

export interface DomSelectorRule {
  selector: string;
  /** Alternatives of names and values (see selectorRequirements) that must all be in the page; null: always query. */
  requirements: string[][] | null;
  /** When every pattern reads attributes: the page must have one of them (this is what filters "*"). */
  attributes: string[] | null;
  /** Per alternative, the names its matched element itself must carry (see selectorSubjects); null: query. */
  subjects: string[][] | null;
  /**
   * false when every pattern reads a DOM property, which the renderer reads
   * itself: the matching elements are then of no use, and not looked for.
   */
  readsElements: boolean;
  patterns: CompiledPattern[];
}

/**
 * DOM rules by one thing each alternative of theirs requires: an attribute
 * value that must occur in the page source, else a name. A page then only
 * looks at the rules whose value or name it has (a few dozen of ~1,000)
 * instead of checking every rule's requirements.
 */
export interface DomRuleIndex {
  /** Name ("#id", ".class", "@attribute", "t:tag") → positions in `dom` of the rules needing it. */
  byName: Map<string, number[]>;
  /** Attribute values (lower-case) → the rules needing them; `always`: rules without requirements. */
  byValue: LiteralIndex;
}

export interface InvalidPattern {
  technology: string;
  kind: SourceKind | "implies" | "excludes" | "requires";
  pattern: string;
  error: string;
}

export interface FingerprintDatabase {
  technologies: Map<string, CompiledTechnology>;
  categories: Map<number, Category>;
  keyed: Record<KeyedKind, Map<string, CompiledPattern[]>>;
  /** Cookie names with `*` wildcards (e.g. `_ga_*`). */
  cookieGlobs: { name: RegExp; patterns: CompiledPattern[] }[];
  lists: Record<ListKind, CompiledPattern[]>;
  literalIndexes: Record<ListKind, LiteralIndex>;
  dom: DomSelectorRule[];
  domIndex: DomRuleIndex;
  /** Patterns and selectors that are not valid JavaScript regular expressions / CSS selectors, skipped. */
  invalid: InvalidPattern[];
  patternCount: number;
}

function toList<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** `a[b].c` and `a.b.c` name the same JS path; the renderer reads the dotted form. */
export function normaliseJsPath(chain: string): string {
  return chain.replace(/\[([^\]]+)\]/g, ".$1");
}

/** Split at commas that are outside quotes, brackets and parentheses. */
function splitAlternatives(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "(" || ch === "[") depth++;
    else if (ch === ")" || ch === "]") depth = Math.max(0, depth - 1);
    else if (ch === "," && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts;
}

/** Drop the arguments of pseudo-classes (`:not(...)`), which describe what must NOT or MAY be there. */
function withoutPseudoArguments(alternative: string): string {
  let out = "";
  let depth = 0;
  let quote: string | null = null;
  for (const ch of alternative) {
    if (quote) {
      if (ch === quote) quote = null;
      if (depth === 0) out += ch;
      continue;
    }
    if (ch === "(") depth++;
    else if (ch === ")") depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      if (ch === '"' || ch === "'") quote = ch;
      out += ch;
    }
  }
  return out;
}

const ATTRIBUTE_SELECTOR =
  /\[\s*([\w:-]+)\s*(?:([~|^$*]?=)\s*(?:"([^"]*)"|'([^']*)'|([^\]\s]*)))?\s*(?:[iIsS])?\s*\]/g;

/**
 * What a selector needs in the page, per comma-separated alternative: names
 * (tag "t:div", "#id", ".class", "@attribute") and attribute values ("v:text",
 * which must occur in the page source). Conservative: pseudo-class arguments
 * are ignored and escaped selectors are always queried (null).
 */
export function selectorRequirements(selector: string): string[][] | null {
  if (selector.includes("\\")) return null;
  const result: string[][] = [];
  for (const alternative of splitAlternatives(selector)) {
    const tokens: string[] = [];
    const names = withoutPseudoArguments(alternative).replace(
      ATTRIBUTE_SELECTOR,
      (
        _all,
        name: string,
        operator?: string,
        doubleQuoted?: string,
        singleQuoted?: string,
        bare?: string,
      ) => {
        const value = doubleQuoted ?? singleQuoted ?? bare ?? "";
        // Entity-encoded values would not appear as written in the source.
        if (operator && value && !value.includes("&")) tokens.push("v:" + value.toLowerCase());
        return `[${name}]`;
      },
    );
    for (const m of names.matchAll(/(^|[\s>+~])([a-zA-Z][\w-]*)|#([\w-]+)|\.([\w-]+)|\[([\w:-]+)\]/g)) {
      if (m[2]) tokens.push("t:" + m[2].toLowerCase());
      else if (m[3]) tokens.push("#" + m[3]);
      else if (m[4]) tokens.push("." + m[4]);
      else if (m[5]) tokens.push("@" + m[5].toLowerCase());
    }
    // An alternative without names (e.g. "*") can match anything.
    if (tokens.length === 0) return null;
    result.push(tokens);
  }
  return result;
}

/**
 * Per comma-separated alternative, the names ("t:a", "#id", ".class",
 * "@attribute") of its subject: the last compound, the element the selector
 * returns. An element the selector matches carries all of them, so the engine
 * only tries the selector on elements carrying one (the rarest on the page)
 * instead of walking the whole document per selector. null (walk the document)
 * for pseudo-classes, whose meaning can depend on the other elements (":first"),
 * escaped names, unusual attribute syntax, and alternatives whose subject has no name ("*").
 */
export function selectorSubjects(selector: string): string[][] | null {
  const result: string[][] = [];
  for (const alternative of splitAlternatives(selector)) {
    // Escapes inside quoted attribute values go with the values; anywhere else they change names.
    const names = alternative.replace(ATTRIBUTE_SELECTOR, (_all, name: string) => `[${name}]`).trim();
    if (/[:"'(\\]/.test(names.replace(/\[[\w:-]+\]/g, "")) || /\[(?![\w:-]+\])/.test(names)) return null;
    const subject = names.split(/[\s>+~]+/).pop() ?? "";
    const name = /^([a-zA-Z][\w-]*)|#([\w-]+)|\.([\w-]+)|\[([\w:-]+)\]/g;
    // Anything but names (and "*") left in the subject is syntax these names do not describe.
    if (!["", "*"].includes(subject.replace(name, ""))) return null;
    const tokens: string[] = [];
    for (const m of subject.matchAll(name)) {
      if (m[1]) tokens.push("t:" + m[1].toLowerCase());
      else if (m[2]) tokens.push("#" + m[2]);
      else if (m[3]) tokens.push("." + m[3]);
      else if (m[4]) tokens.push("@" + m[4].toLowerCase());
    }
    if (tokens.length === 0) return null;
    result.push(tokens);
  }
  return result;
}

const DOM_QUERY_KEYS = new Set(["exists", "text", "attributes", "properties"]);

class Compiler {
  readonly invalid: InvalidPattern[] = [];
  readonly keyed: Record<KeyedKind, Map<string, CompiledPattern[]>> = {
    headers: new Map(),
    cookies: new Map(),
    meta: new Map(),
    js: new Map(),
    dns: new Map(),
  };
  readonly cookieGlobs = new Map<string, { name: RegExp; patterns: CompiledPattern[] }>();
  readonly lists = Object.fromEntries(LIST_KINDS.map((kind) => [kind, [] as CompiledPattern[]])) as Record<
    ListKind,
    CompiledPattern[]
  >;
  readonly dom = new Map<string, DomSelectorRule>();
  #nextId = 0;
  readonly #selectorProbe = load("<html></html>", { xml: { xmlMode: false } });

  pattern(
    technology: CompiledTechnology,
    kind: SourceKind,
    key: string | null,
    raw: string | number,
    domPart: DomPart | null = null,
  ): CompiledPattern | null {
    const parsed = parsePattern(raw);
    let regex: RegExp | null = null;
    if (parsed.source !== "") {
      try {
        regex = new RegExp(boundQuantifiers(parsed.source), "i");
      } catch (error) {
        this.invalid.push({
          technology: technology.name,
          kind,
          pattern: String(raw),
          error: (error as Error).message,
        });
        return null;
      }
    }
    return {
      id: this.#nextId++,
      technology,
      kind,
      key,
      domPart,
      source: parsed.source,
      regex,
      literals: parsed.source === "" ? null : requiredLiterals(parsed.source),
      confidence: parsed.confidence,
      version: parsed.version,
    };
  }

  #addKeyed(kind: KeyedKind, key: string, pattern: CompiledPattern): void {
    if (kind === "cookies" && key.includes("*")) {
      let glob = this.cookieGlobs.get(key);
      if (!glob) {
        const source = key
          .split("*")
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
          .join(".*");
        glob = { name: new RegExp(`^${source}$`), patterns: [] };
        this.cookieGlobs.set(key, glob);
      }
      glob.patterns.push(pattern);
      return;
    }
    const list = this.keyed[kind].get(key);
    if (list) list.push(pattern);
    else this.keyed[kind].set(key, [pattern]);
  }

  #selectorIsValid(technology: string, selector: string): boolean {
    try {
      this.#selectorProbe(selector);
      return true;
    } catch (error) {
      this.invalid.push({ technology, kind: "dom", pattern: selector, error: (error as Error).message });
      return false;
    }
  }

  #addDom(technology: CompiledTechnology, dom: NonNullable<TechnologyRule["dom"]>): void {
    const entries: [string, unknown][] =
      typeof dom === "string" || Array.isArray(dom)
        ? toList(dom).map((selector) => [selector, { exists: "" }])
        : Object.entries(dom);
    for (const [selector, queries] of entries) {
      let rule = this.dom.get(selector);
      if (!rule) {
        if (!this.#selectorIsValid(technology.name, selector)) continue;
        rule = {
          selector,
          requirements: selectorRequirements(selector),
          attributes: null,
          subjects: selectorSubjects(selector),
          readsElements: true,
          patterns: [],
        };
        this.dom.set(selector, rule);
      }
      for (const query of toList(queries) as {
        exists?: string | number;
        text?: string | number;
        attributes?: Record<string, string | number>;
        properties?: Record<string, string | number>;
      }[]) {
        for (const unknown of Object.keys(query).filter((k) => !DOM_QUERY_KEYS.has(k))) {
          this.invalid.push({
            technology: technology.name,
            kind: "dom",
            pattern: `${selector} ${unknown}`,
            error: "unknown DOM query key",
          });
        }
        const parts: [DomPart, string | number][] = [];
        if (query.exists !== undefined) parts.push([{ type: "exists" }, query.exists]);
        if (query.text !== undefined) parts.push([{ type: "text" }, query.text]);
        for (const [name, raw] of Object.entries(query.attributes ?? {})) {
          parts.push([{ type: "attribute", name: name.toLowerCase() }, raw]);
        }
        for (const [name, raw] of Object.entries(query.properties ?? {}))
          parts.push([{ type: "property", name }, raw]);
        for (const [part, raw] of parts) {
          const pattern = this.pattern(technology, "dom", selector, raw, part);
          if (pattern) rule.patterns.push(pattern);
        }
      }
    }
  }

  technology(technology: CompiledTechnology, rule: TechnologyRule): void {
    for (const kind of KEYED_KINDS) {
      for (const [rawKey, raws] of Object.entries(rule[kind] ?? {})) {
        const key = kind === "js" ? normaliseJsPath(rawKey) : rawKey.toLowerCase();
        for (const raw of toList(raws)) {
          const pattern = this.pattern(technology, kind, key, raw);
          if (pattern) this.#addKeyed(kind, key, pattern);
        }
      }
    }
    for (const kind of LIST_KINDS) {
      for (const raw of toList(rule[kind])) {
        const pattern = this.pattern(technology, kind, null, raw);
        if (pattern) this.lists[kind].push(pattern);
      }
    }
    if (rule.dom !== undefined) this.#addDom(technology, rule.dom);
  }

  get patternCount(): number {
    return this.#nextId;
  }
}

/** `entries[i]`: the literals of which entry i needs one; null: none, always let through. */
function buildLiteralIndex(entries: (readonly string[] | null)[]): LiteralIndex {
  const positions = new Map<string, number[]>();
  const always: number[] = [];
  entries.forEach((entryLiterals, position) => {
    if (!entryLiterals) {
      always.push(position);
      return;
    }
    for (const literal of new Set(entryLiterals)) {
      const list = positions.get(literal);
      if (list) list.push(position);
      else positions.set(literal, [position]);
    }
  });
  const literals = [...positions.keys()];
  const perLiteral = literals.map(literalTrigramHashes);
  const starts = new Uint32Array(literals.length + 1);
  perLiteral.forEach((hashes, i) => (starts[i + 1] = starts[i]! + hashes.length));
  return {
    literals,
    hashes: Uint32Array.from(perLiteral.flat()),
    starts,
    positionsOf: [...positions.values()],
    always,
  };
}

/** Ids and classes are rarer in a page than attribute names, and those than tag names. */
const NAME_RARITY = ["#", ".", "@", "t:"];

/** The longest attribute value an alternative requires ("v:" token), else its rarest name. */
function alternativeKey(tokens: string[]): string | undefined {
  const values = tokens.filter((token) => token.startsWith("v:"));
  if (values.length > 0) return values.reduce((a, b) => (b.length > a.length ? b : a));
  return NAME_RARITY.map((prefix) => tokens.find((token) => token.startsWith(prefix))).find(Boolean);
}

function buildDomRuleIndex(rules: DomSelectorRule[]): DomRuleIndex {
  const byName = new Map<string, number[]>();
  const values = rules.map((rule, position): string[] | null => {
    const keys = rule.requirements?.map(alternativeKey);
    // A rule with an alternative that names nothing is looked at on every page.
    if (!keys || keys.some((key) => key === undefined)) return null;
    const ruleValues: string[] = [];
    for (const key of new Set(keys as string[])) {
      if (key.startsWith("v:")) ruleValues.push(key.slice(2));
      else {
        const list = byName.get(key);
        if (list) list.push(position);
        else byName.set(key, [position]);
      }
    }
    return ruleValues;
  });
  return { byName, byValue: buildLiteralIndex(values) };
}

function technologyHeader(
  name: string,
  rule: TechnologyRule,
  categories: Map<number, Category>,
): CompiledTechnology {
  const cats = rule.cats ?? [];
  return {
    name,
    categories: cats,
    categoryNames: cats.map((id) => categories.get(id)?.name).filter((c): c is string => c !== undefined),
    website: rule.website ?? null,
    implies: toList(rule.implies).map((raw) => {
      const parsed = parsePattern(raw);
      return { name: parsed.source, confidence: parsed.confidence, version: parsed.version };
    }),
    excludes: toList(rule.excludes).map((raw) => parsePattern(raw).source),
    requires: toList(rule.requires).map((raw) => parsePattern(raw).source),
    requiresCategory: toList(rule.requiresCategory),
  };
}

export function compileRuleSet(ruleSet: RuleSet): FingerprintDatabase {
  const compiler = new Compiler();
  const technologies = new Map<string, CompiledTechnology>();
  for (const [name, rule] of ruleSet.technologies) {
    const technology = technologyHeader(name, rule, ruleSet.categories);
    technologies.set(name, technology);
    compiler.technology(technology, rule);
  }
  // References to technologies that do not exist are dropped (and reported) rather than failing every scan.
  for (const technology of technologies.values()) {
    for (const relation of ["implies", "excludes", "requires"] as const) {
      const names = relation === "implies" ? technology.implies.map((i) => i.name) : technology[relation];
      for (const name of names.filter((n) => !technologies.has(n))) {
        compiler.invalid.push({
          technology: technology.name,
          kind: relation,
          pattern: name,
          error: "unknown technology",
        });
      }
    }
    technology.implies = technology.implies.filter((i) => technologies.has(i.name));
    technology.excludes = technology.excludes.filter((n) => technologies.has(n));
    technology.requires = technology.requires.filter((n) => technologies.has(n));
  }
  const dom = [...compiler.dom.values()].map((rule) => ({
    ...rule,
    readsElements: !rule.patterns.every((p) => p.domPart?.type === "property"),
    attributes: rule.patterns.every((p) => p.domPart?.type === "attribute")
      ? [...new Set(rule.patterns.map((p) => (p.domPart?.type === "attribute" ? "@" + p.domPart.name : "")))]
      : null,
  }));
  return {
    technologies,
    categories: ruleSet.categories,
    keyed: compiler.keyed,
    cookieGlobs: [...compiler.cookieGlobs.values()],
    lists: compiler.lists,
    literalIndexes: Object.fromEntries(
      LIST_KINDS.map((kind) => [kind, buildLiteralIndex(compiler.lists[kind].map((p) => p.literals))]),
    ) as Record<ListKind, LiteralIndex>,
    dom,
    domIndex: buildDomRuleIndex(dom),
    invalid: compiler.invalid,
    patternCount: compiler.patternCount,
  };
}

let cached: FingerprintDatabase | null = null;

/** The compiled database, built on first use and kept for the life of the process. */
export function getFingerprintDatabase(): FingerprintDatabase {
  cached ??= compileRuleSet(loadRuleSet());
  return cached;
}
