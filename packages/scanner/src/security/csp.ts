/**
 * Content-Security-Policy parsing and analysis, following the MDN HTTP
 * Observatory (v2, algorithm 4) rule for rule so that grades agree: the same
 * merge of several policies, the same "invalid" cases, the same order in which
 * a weakness decides the result.
 */

/** The shortest policy the Observatory accepts is one character shorter than "img-src". */
const SHORTEST_POLICY_LENGTH = "img-src".length - 1;
/** Directives a <meta http-equiv> policy may not carry (HTML spec). */
const DIRECTIVES_DISALLOWED_IN_META = ["frame-ancestors", "report-uri", "sandbox"];
const ALLOWED_DUPLICATE_DIRECTIVES = new Set(["report-uri", "report-to"]);

export type CspMap = Map<string, Set<string>>;

export interface ParsedCsp {
  directives: CspMap;
  /** report-uri / report-to given more than once: allowed, but reported. */
  duplicateWarnings: Set<string>;
}

export class CspParseError extends Error {}

const compareSource = new Intl.Collator("en").compare;

interface SourceEntry {
  source: string;
  index: number;
  keep: boolean;
}

/**
 * Parse one or more policies into the effective directive → sources map. With
 * several policies a source only survives when every policy allows it (the
 * browser enforces all of them); a directive left with no source means 'none'.
 */
export function parseCsp(policies: string[]): ParsedCsp {
  const cleaned = policies.map((p) => p.replaceAll(/[\r\n]/g, "").trim());
  const duplicateWarnings = new Set<string>();
  if (cleaned.length === 0) return { directives: new Map(), duplicateWarnings };
  for (const policy of cleaned) {
    if (!policy || policy.length < SHORTEST_POLICY_LENGTH)
      throw new CspParseError(`invalid policy: "${policy}"`);
  }

  const csp = new Map<string, SourceEntry[]>();
  for (const [policyIndex, policy] of cleaned.entries()) {
    const seenInThisPolicy = new Set<string>();
    for (const [directiveEntry, ...valueEntries] of policy.split(";").map((e) => e.trim().split(/\s+/))) {
      if (!directiveEntry) continue;
      const directive = directiveEntry.toLowerCase();
      if (seenInThisPolicy.has(directive)) {
        if (!ALLOWED_DUPLICATE_DIRECTIVES.has(directive)) {
          throw new CspParseError(`duplicate directive ${directive} in policy ${policyIndex + 1}`);
        }
        duplicateWarnings.add(directive);
      } else {
        seenInThisPolicy.add(directive);
      }

      const keep = policyIndex === 0;
      const values: SourceEntry[] = valueEntries.map((raw) => ({
        source: raw.trim().toLocaleLowerCase(),
        index: policyIndex,
        keep,
      }));
      if (values.length === 0 && directive.endsWith("-src"))
        values.push({ source: "'none'", index: policyIndex, keep });

      const combined = policyIndex === 0 ? [...values] : [...(csp.get(directive) ?? []), ...values];
      combined.sort((a, b) => compareSource(a.source, b.source));
      for (let i = 1; i < combined.length; i++) {
        const source = combined[i]!;
        const prev = combined[i - 1]!;
        // Within one policy a longer source that starts like a shorter one adds nothing.
        if (source.index === prev.index && source.source.startsWith(prev.source)) source.keep = false;
        // Across policies a source counts only when the other policy allows it too.
        if (source.index !== prev.index && pathPartMatch(prev.source, source.source)) source.keep = true;
      }
      csp.set(
        directive,
        combined.filter((s) => s.keep),
      );
      // With more policies to come, everything must be re-earned by matching them.
      if (policyIndex === 0 && policies.length > 1) for (const s of csp.get(directive) ?? []) s.keep = false;
    }
  }

  const directives: CspMap = new Map(
    [...csp.entries()].map(([directive, sources]) => [
      directive,
      sources.length ? new Set(sources.map((s) => s.source)) : new Set(["'none'"]),
    ]),
  );
  return { directives, duplicateWarnings };
}

/** A policy from <meta http-equiv>: the directives only headers may carry are dropped. */
export function parseCspMeta(policies: string[]): ParsedCsp {
  const parsed = parseCsp(policies);
  for (const directive of DIRECTIVES_DISALLOWED_IN_META) parsed.directives.delete(directive);
  return parsed;
}

function pathPartMatch(pathA: string, pathB: string): boolean {
  if (pathA.length === 0) return true;
  if (pathA === "/" && pathB.length === 0) return true;
  const exactMatch = !pathA.endsWith("/");
  const partsA = pathA.split("/");
  const partsB = pathB.split("/");
  if (partsA.length > partsB.length) return false;
  if (exactMatch && partsA.length !== partsB.length) return false;
  if (!exactMatch) partsA.pop();
  return partsA.every((piece, i) => safeDecode(piece) === safeDecode(partsB[i]!));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const DANGEROUSLY_BROAD = new Set([
  "ftp:",
  "http:",
  "https:",
  "*",
  "http://*",
  "http://*.*",
  "https://*",
  "https://*.*",
]);
const UNSAFE_INLINE = new Set(["'unsafe-inline'", "data:"]);
const BROAD_OR_UNSAFE_INLINE = new Set([...DANGEROUSLY_BROAD, ...UNSAFE_INLINE]);
const PASSIVE_DIRECTIVES = new Set(["img-src", "media-src"]);
const NONCE_HASH_PREFIXES = ["'sha256-", "'sha384-", "'sha512-", "'nonce-"];

export type CspResult =
  | "csp-implemented-with-no-unsafe-default-src-none"
  | "csp-implemented-with-no-unsafe"
  | "csp-implemented-with-unsafe-inline-in-style-src-only"
  | "csp-implemented-with-insecure-scheme-in-passive-content-only"
  | "csp-implemented-with-unsafe-eval"
  | "csp-implemented-with-unsafe-inline"
  | "csp-implemented-with-insecure-scheme"
  | "csp-implemented-but-duplicate-directives"
  | "csp-header-invalid"
  | "csp-not-implemented"
  | "csp-not-implemented-but-reporting-enabled";

export interface CspPolicyFlags {
  antiClickjacking: boolean;
  defaultNone: boolean;
  insecureBaseUri: boolean;
  insecureFormAction: boolean;
  insecureSchemeActive: boolean;
  insecureSchemePassive: boolean;
  strictDynamic: boolean;
  unsafeEval: boolean;
  unsafeInline: boolean;
  unsafeInlineStyle: boolean;
  unsafeObjects: boolean;
}

export interface CspAnalysis {
  result: CspResult;
  pass: boolean;
  numPolicies: number;
  /** A policy came from the Content-Security-Policy header. */
  http: boolean;
  /** A policy came from <meta http-equiv="Content-Security-Policy">. */
  meta: boolean;
  policy: CspPolicyFlags | null;
  /** The effective policy, directive → sorted sources; null when absent or invalid. */
  data: Record<string, string[]> | null;
}

export interface CspInput {
  /** Content-Security-Policy header values, as the Observatory's HTTP client presents them. */
  headerPolicies: string[];
  /** Contents of <meta http-equiv="Content-Security-Policy"> tags, in document order. */
  metaPolicies: string[];
  /** Content-Security-Policy-Report-Only is present (header only; not allowed in meta). */
  reportOnly: boolean;
  /** The scanned page is served over https. */
  https: boolean;
}

function hasNonceOrHash(sources: Iterable<string>): boolean {
  return [...sources].some((s) => NONCE_HASH_PREFIXES.some((p) => s.startsWith(p)));
}

export function analyseCsp(input: CspInput): CspAnalysis {
  const numPolicies = input.headerPolicies.length + input.metaPolicies.length;
  const base = { numPolicies, http: false, meta: false, policy: null, data: null };

  let csp: ParsedCsp;
  try {
    csp = parseCsp([...input.headerPolicies, ...input.metaPolicies]);
  } catch {
    return { ...base, result: "csp-header-invalid", pass: false };
  }
  const headerOnly = tryParse(() => parseCsp(input.headerPolicies));
  const metaOnly = tryParse(() => parseCspMeta(input.metaPolicies));

  // A lone meta policy made only of header-only directives counts as no policy.
  if (headerOnly.size + metaOnly.size === 0) {
    const result = input.reportOnly ? "csp-not-implemented-but-reporting-enabled" : "csp-not-implemented";
    return { ...base, result, pass: false };
  }

  const d = csp.directives;
  const flags: CspPolicyFlags = {
    antiClickjacking: false,
    defaultNone: false,
    insecureBaseUri: false,
    insecureFormAction: false,
    insecureSchemeActive: false,
    insecureSchemePassive: false,
    strictDynamic: false,
    unsafeEval: false,
    unsafeInline: false,
    unsafeInlineStyle: false,
    unsafeObjects: false,
  };
  let result: CspResult | null = null;
  const decide = (r: CspResult) => {
    if (result === null) result = r;
  };

  const baseUri = d.get("base-uri") ?? new Set(["*"]);
  // frame-ancestors only works from the header.
  const frameAncestors = headerOnly.get("frame-ancestors") ?? new Set(["*"]);
  const formAction = d.get("form-action") ?? new Set(["*"]);
  const objectSrc = d.get("object-src") ?? d.get("default-src") ?? new Set(["*"]);
  const scriptSrc = d.get("script-src") ?? d.get("default-src") ?? new Set(["*"]);
  const styleSrc = d.get("style-src") ?? d.get("default-src") ?? new Set(["*"]);

  // Browsers ignore 'unsafe-inline' when a nonce or hash is present.
  for (const list of [scriptSrc, styleSrc]) {
    if (hasNonceOrHash(list) && list.has("'unsafe-inline'")) list.delete("'unsafe-inline'");
  }

  if (hasNonceOrHash(scriptSrc) && scriptSrc.has("'strict-dynamic'")) {
    // With 'strict-dynamic', scheme sources, 'self' and 'unsafe-inline' are ignored by browsers.
    for (const source of [...scriptSrc]) {
      if (
        [...DANGEROUSLY_BROAD].some((s) => source.startsWith(s)) ||
        source === "'self'" ||
        source === "'unsafe-inline'"
      ) {
        scriptSrc.delete(source);
      }
    }
    flags.strictDynamic = true;
  } else if (scriptSrc.has("'strict-dynamic'")) {
    decide("csp-header-invalid");
  }

  const activeSources = [...d.entries()]
    .filter(([directive]) => !PASSIVE_DIRECTIVES.has(directive) && directive !== "script-src")
    .flatMap(([, sources]) => [...sources]);
  activeSources.push(...scriptSrc);
  const passiveSources = [...PASSIVE_DIRECTIVES].flatMap((directive) => [
    ...(d.get(directive) ?? d.get("default-src") ?? new Set<string>()),
  ]);
  const insecure = (s: string) => s.startsWith("http:") || s.startsWith("ftp:");

  if (
    [...scriptSrc].some((s) => BROAD_OR_UNSAFE_INLINE.has(s)) ||
    [...objectSrc].some((s) => DANGEROUSLY_BROAD.has(s))
  ) {
    decide("csp-implemented-with-unsafe-inline");
    flags.unsafeInline = true;
  }
  if (input.https && activeSources.some(insecure)) {
    decide("csp-implemented-with-insecure-scheme");
    flags.insecureSchemeActive = true;
  }
  if (scriptSrc.has("'unsafe-eval'") || styleSrc.has("'unsafe-eval'")) {
    decide("csp-implemented-with-unsafe-eval");
    flags.unsafeEval = true;
  }
  if (input.https && passiveSources.some(insecure)) {
    decide("csp-implemented-with-insecure-scheme-in-passive-content-only");
    flags.insecureSchemePassive = true;
  }
  if ([...styleSrc].some((s) => BROAD_OR_UNSAFE_INLINE.has(s))) {
    decide("csp-implemented-with-unsafe-inline-in-style-src-only");
    flags.unsafeInlineStyle = true;
  }
  const defaultSrc = d.get("default-src");
  if (defaultSrc?.has("'none'") && defaultSrc.size === 1) {
    decide("csp-implemented-with-no-unsafe-default-src-none");
    flags.defaultNone = true;
  } else {
    decide("csp-implemented-with-no-unsafe");
  }

  flags.antiClickjacking = ![...frameAncestors].some((s) => DANGEROUSLY_BROAD.has(s));
  flags.insecureBaseUri = [...baseUri].some((s) => BROAD_OR_UNSAFE_INLINE.has(s));
  flags.insecureFormAction = [...formAction].some((s) => DANGEROUSLY_BROAD.has(s));
  flags.unsafeObjects = [...objectSrc].some((s) => DANGEROUSLY_BROAD.has(s));

  let final = result as unknown as CspResult;
  const pass = (
    [
      "csp-implemented-with-no-unsafe",
      "csp-implemented-with-no-unsafe-default-src-none",
      "csp-implemented-with-unsafe-inline-in-style-src-only",
      "csp-implemented-with-insecure-scheme-in-passive-content-only",
    ] as CspResult[]
  ).includes(final);
  if (pass && csp.duplicateWarnings.size > 0) final = "csp-implemented-but-duplicate-directives";

  const data: Record<string, string[]> = {};
  for (const [directive, sources] of d) data[directive] = [...sources].sort();
  return {
    result: final,
    pass,
    numPolicies,
    http: input.headerPolicies.length > 0,
    meta: input.metaPolicies.length > 0,
    policy: flags,
    data,
  };
}

function tryParse(parse: () => ParsedCsp): CspMap {
  try {
    return parse().directives;
  } catch {
    return new Map();
  }
}
