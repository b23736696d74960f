/**
 * One Wappalyzer pattern string: `regex\;confidence:50\;version:\1`.
 * Patterns are JavaScript regular expressions, matched case-insensitively.
 */
export interface ParsedPattern {
  /** The regular expression text before the first `\;`. */
  source: string;
  confidence: number;
  /** Version template with back references (`\1`) and ternaries (`\1?a:b`); "" when none. */
  version: string;
}

export function parsePattern(raw: string | number): ParsedPattern {
  const [source = "", ...tags] = String(raw).split("\\;");
  let confidence = 100;
  let version = "";
  for (const tag of tags) {
    const colon = tag.indexOf(":");
    if (colon === -1) continue;
    const key = tag.slice(0, colon);
    const value = tag.slice(colon + 1);
    if (key === "confidence") {
      const parsed = Number.parseInt(value, 10);
      if (Number.isFinite(parsed)) confidence = parsed;
    } else if (key === "version") {
      version = value;
    }
  }
  return { source, confidence, version };
}

/**
 * Bound the unbounded quantifiers `+` and `*` (outside character classes, not
 * escaped) to 250 repetitions, as Wappalyzer does, so that a pattern run over
 * a large page cannot backtrack for seconds.
 */
export function boundQuantifiers(source: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === "\\") {
      out += ch + (source[i + 1] ?? "");
      i++;
      continue;
    }
    if (inClass) {
      if (ch === "]") inClass = false;
      out += ch;
      continue;
    }
    if (ch === "[") inClass = true;
    if (ch === "+" && i > 0) out += "{1,250}";
    else if (ch === "*" && i > 0) out += "{0,250}";
    else out += ch;
  }
  return out;
}

const ESCAPED_CLASSES = new Set([
  "d",
  "D",
  "w",
  "W",
  "s",
  "S",
  "b",
  "B",
  "n",
  "r",
  "t",
  "f",
  "v",
  "0",
  "x",
  "u",
  "c",
  "k",
  "p",
  "P",
]);

/** Index just past the group or class that starts at `start`, or -1 when unbalanced. */
function skipBracketed(source: string, start: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = start; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === "]") {
        inClass = false;
        if (depth === 0) return i + 1;
      }
      continue;
    }
    if (ch === "[") inClass = true;
    else if (ch === "(") depth++;
    else if (ch === ")") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Split at `|` outside groups and classes. */
function topLevelBranches(source: string): string[] {
  const branches: string[] = [];
  let start = 0;
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === "\\") i += 2;
    else if (ch === "(" || ch === "[") {
      const end = skipBracketed(source, i);
      if (end === -1) return [source];
      i = end;
    } else {
      if (ch === "|") {
        branches.push(source.slice(start, i));
        start = i + 1;
      }
      i++;
    }
  }
  branches.push(source.slice(start));
  return branches;
}

/**
 * Lower-case texts of which every match contains at least one, or null when
 * some branch has no literal run of three characters or more. A value is only
 * run through a regular expression when it contains one of them, which skips
 * almost every pattern almost every time.
 */
export function requiredLiterals(source: string): string[] | null {
  let body = source.replace(/^\^/, "").replace(/(?<!\\)\$$/, "");
  // A pattern that is one non-capturing group, e.g. "(?:a|b)", is its branches.
  if (body.startsWith("(?:") && skipBracketed(body, 0) === body.length) body = body.slice(3, -1);
  const literals: string[] = [];
  for (const branch of topLevelBranches(body)) {
    const literal = branchLiteral(branch);
    if (literal === null) return null;
    literals.push(literal);
  }
  return literals;
}

function branchLiteral(source: string): string | null {
  let best = "";
  let run = "";
  const endRun = () => {
    if (run.length > best.length) best = run;
    run = "";
  };
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    let literal: string | null = null;
    let next = i + 1;
    if (ch === "\\") {
      const escaped = source[i + 1];
      if (escaped === undefined) return null;
      next = i + 2;
      if (!ESCAPED_CLASSES.has(escaped) && !/[0-9]/.test(escaped)) literal = escaped;
    } else if (ch === "(" || ch === "[") {
      next = skipBracketed(source, i);
      if (next === -1) return null;
    } else if (ch === "{") {
      const counted = /^\{\d*(?:,\d*)?\}/.exec(source.slice(i));
      if (counted) next = i + counted[0].length;
    } else if (!".^$?*+{}".includes(ch)) {
      literal = ch;
    }
    // A quantifier after this atom decides whether it is required.
    const quantifier = source[next];
    const optional =
      quantifier === "?" || quantifier === "*" || (quantifier === "{" && /^\{0[,}]/.test(source.slice(next)));
    const repeated = quantifier === "+" || quantifier === "{";
    if (literal !== null && literal.charCodeAt(0) < 128 && !optional) {
      run += literal.toLowerCase();
      if (repeated) endRun();
    } else {
      endRun();
    }
    i = next;
  }
  endRun();
  return best.length >= 3 ? best : null;
}

/**
 * Fill a version template from the match, as Wappalyzer does: `\1` is the
 * first group, `\1?yes:no` picks by whether the group matched.
 */
export function resolveVersionTemplate(template: string, match: RegExpExecArray): string {
  if (!template) return "";
  let resolved = template;
  for (let index = 0; index < match.length; index++) {
    const group = match[index];
    const ternary = new RegExp(`\\\\${index}\\?([^:]+):(.*)$`).exec(resolved);
    if (ternary) resolved = resolved.replace(ternary[0], group ? ternary[1]! : ternary[2]!);
    resolved = resolved.trim().replaceAll(`\\${index}`, group ?? "");
  }
  // "([\d.]+)" over "jquery-3.7.1.min.js" captures "3.7.1.": the dot belongs to the file name.
  return resolved.replace(/\\\d/g, "").replace(/^[.\s]+|[.\s]+$/g, "");
}
