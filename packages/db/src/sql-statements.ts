export interface SqlStatement {
  /** The statement text, trimmed, without its terminating semicolon. */
  text: string;
  /** Offset of `text` in the source. */
  offset: number;
  /** 1-based line of the statement's first character. */
  line: number;
}

/**
 * Splits a SQL script into statements at top-level semicolons, skipping
 * semicolons inside quotes, dollar-quoted bodies and comments (as psql and
 * the Supabase CLI do). Comment-only fragments are dropped.
 */
export function splitSqlStatements(source: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let start = 0;
  let i = 0;
  let hasCode = false;

  const push = (end: number) => {
    const raw = source.slice(start, end);
    const leading = raw.length - raw.trimStart().length;
    if (hasCode) {
      const offset = start + leading;
      statements.push({ text: raw.trim(), offset, line: lineAt(source, offset) });
    }
    hasCode = false;
  };

  while (i < source.length) {
    const ch = source[i]!;
    const next = source[i + 1];
    if (ch === "-" && next === "-") {
      const end = source.indexOf("\n", i);
      i = end === -1 ? source.length : end + 1;
      // A statement's leading comments belong to it only once code starts.
      if (!hasCode) start = i;
      continue;
    }
    if (ch === "/" && next === "*") {
      i = skipBlockComment(source, i);
      if (!hasCode) start = i;
      continue;
    }
    if (ch === ";") {
      push(i);
      i += 1;
      start = i;
      continue;
    }
    if (/\s/.test(ch)) {
      i += 1;
      if (!hasCode) start = i;
      continue;
    }
    hasCode = true;
    if (ch === "'") {
      const escapes = i > 0 && /[eE]/.test(source[i - 1]!) && !/[\w$]/.test(source[i - 2] ?? "");
      i = skipQuoted(source, i, "'", escapes);
    } else if (ch === '"') {
      i = skipQuoted(source, i, '"', false);
    } else if (ch === "$") {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(source.slice(i, i + 64));
      const prev = source[i - 1] ?? "";
      if (tag && !/[\w$]/.test(prev)) {
        const close = source.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? source.length : close + tag[0].length;
      } else {
        i += 1;
      }
    } else {
      i += 1;
    }
  }
  push(source.length);
  return statements;
}

/** 1-based line number of a character offset. */
export function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i += 1) if (source[i] === "\n") line += 1;
  return line;
}

function skipQuoted(source: string, i: number, quote: string, backslashEscapes: boolean): number {
  let j = i + 1;
  while (j < source.length) {
    const ch = source[j];
    if (backslashEscapes && ch === "\\") {
      j += 2;
      continue;
    }
    if (ch === quote) {
      if (source[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j += 1;
  }
  return j;
}

function skipBlockComment(source: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < source.length) {
    if (source[j] === "/" && source[j + 1] === "*") {
      depth += 1;
      j += 2;
    } else if (source[j] === "*" && source[j + 1] === "/") {
      depth -= 1;
      j += 2;
      if (depth === 0) return j;
    } else {
      j += 1;
    }
  }
  return j;
}
