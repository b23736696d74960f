import type { FingerprintDatabase } from "../fingerprints/compile";
import { around, lineOf } from "../fingerprints/analyze";
import type { PageSnapshot } from "../types";
import { technologyCalled } from "./names";
import type { VersionObservation } from "./observation";

/**
 * A version as products write it, kept as written: "6.4.2", "10",
 * `2024-02-06a "Kaos"` (DokuWiki's date and release name), "1.41.0-rc.1".
 */
const WRITTEN_VERSION = String.raw`(\d[\w.\-]*(?:[ \t]+(?:"|&quot;)[\w .\-]{1,24}(?:"|&quot;))?)`;
const PREFIX = String.raw`(?:release[ \t]+|version:?[ \t]+|v\.?[ \t]*)?`;

const GENERATOR_TAG = /<meta\b[^>]*\bname\s*=\s*["']?generator\b[^>]*>/gi;
const CONTENT_ATTRIBUTE = /\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)')/i;
const NAME_AND_VERSION = new RegExp(String.raw`^\s*(.+?)[ \t]+` + PREFIX + WRITTEN_VERSION, "i");
/** "Powered by DokuWiki Release 2024-02-06a", "Powered by <a>Gitea</a> 1.21.4", across inline tags. */
/** A word of a product's name: not the keyword that introduces its version. */
const NAME_WORD = String.raw`(?!(?:release|version)\b)[A-Za-z][\w!.+-]*`;
const POWERED_BY = new RegExp(
  String.raw`powered[ \t]+by[ \t]+(?:<[^>]{0,300}>\s*)*` +
    `(${NAME_WORD}(?:[ \\t]${NAME_WORD}){0,2})` +
    String.raw`[ \t]*(?:<[^>]{0,300}>\s*)*` +
    PREFIX +
    WRITTEN_VERSION,
  "gi",
);
/** "Gitea Version: 1.21.4", "MantisBT release 2.25.7": the keyword first, the name just before it. */
const KEYWORD_VERSION = new RegExp(String.raw`\b(?:release|version:?)[ \t]+` + WRITTEN_VERSION, "gi");
const WORDS_BEFORE = /([A-Za-z][\w!.+-]*(?:[ \t]+[A-Za-z][\w!.+-]*){0,2})[ \t]*$/;
const TAG = /<[^>]*>/g;
/** How far before a keyword its product's name may be written (tags included). */
const NAME_REACH = 200;

/** The technology named exactly by the last words of `text` (longest run first). */
function technologyEndingAt(db: FingerprintDatabase, text: string): string | undefined {
  const words = WORDS_BEFORE.exec(text.replace(TAG, " ").trimEnd())?.[1]?.split(/[ \t]+/) ?? [];
  for (let from = 0; from < words.length; from++) {
    const technology = technologyCalled(db, words.slice(from).join(" "));
    if (technology) return technology;
  }
  return undefined;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;|&#0*34;/g, '"')
    .replace(/&#0*39;|&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Trim the quotes of a release name that the HTML wrote as entities. */
const asWritten = (version: string) => decodeEntities(version).replace(/\s+/g, " ").trim();

function fromHtml(
  page: PageSnapshot,
  match: RegExpExecArray,
  technology: string,
  version: string,
  source: "generator" | "footer",
): VersionObservation {
  return {
    technology,
    version,
    source,
    confidence: 100,
    evidence: {
      kind: source === "generator" ? "meta" : "html",
      // The generator tag is the very observation its fingerprint pattern records: one evidence item.
      collector: source === "generator" ? "fingerprint" : "version",
      url: page.url,
      locator: source === "generator" ? 'meta[name="generator"]' : `line ${lineOf(page.html, match.index)}`,
      ...(source === "generator"
        ? { snippet: match[0], focus: 0 }
        : around(page.html, match.index, match.index + match[0].length)),
    },
  };
}

/**
 * Versions a page states in words: its generator meta tags and footer lines
 * ("Powered by X 1.2", "X version 1.2", "X v1.2"), kept as written, dates and
 * release names included, never reshaped into semver.
 */
export function versionsInWords(page: PageSnapshot, db: FingerprintDatabase): VersionObservation[] {
  const found: VersionObservation[] = [];
  for (const tag of page.html.matchAll(GENERATOR_TAG)) {
    const content = CONTENT_ATTRIBUTE.exec(tag[0]);
    const stated = NAME_AND_VERSION.exec(decodeEntities(content?.[1] ?? content?.[2] ?? ""));
    const technology = stated && technologyCalled(db, stated[1]!);
    if (technology) found.push(fromHtml(page, tag, technology, asWritten(stated[2]!), "generator"));
  }
  const lines = new Set<string>();
  const addFooter = (match: RegExpExecArray, technology: string | undefined) => {
    if (!technology) return;
    const observed = fromHtml(page, match, technology, asWritten(match[match.length - 1]!), "footer");
    const key = `${technology}|${observed.version}|${observed.evidence.locator}`;
    if (lines.has(key)) return;
    lines.add(key);
    found.push(observed);
  };
  for (const match of page.html.matchAll(POWERED_BY)) addFooter(match, technologyCalled(db, match[1]!));
  for (const match of page.html.matchAll(KEYWORD_VERSION)) {
    const before = page.html.slice(Math.max(0, match.index - NAME_REACH), match.index);
    // Inside a tag (an attribute, the generator meta) is not a line of the page.
    if (before.lastIndexOf("<") > before.lastIndexOf(">")) continue;
    addFooter(match, technologyEndingAt(db, before));
  }
  return found;
}
