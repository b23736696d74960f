/**
 * Markdown (what agents write) to Atlassian Document Format (what Jira Cloud's REST v3 takes as
 * an issue description): paragraphs, headings, bullet and ordered lists, fenced code, quotes,
 * rules, and inline code, links, bold and italic. Anything else stays as its literal text.
 */

export type AdfMark =
  { type: "strong" } | { type: "em" } | { type: "code" } | { type: "link"; attrs: { href: string } };
export interface AdfText {
  type: "text";
  text: string;
  marks?: AdfMark[];
}
export interface AdfNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: (AdfNode | AdfText)[];
}
export interface AdfDocument {
  version: 1;
  type: "doc";
  content: AdfNode[];
}

/** Inline code, a link, bold, italic: the first that starts earliest wins. */
const INLINE = new RegExp(
  [
    /`([^`]+)`/.source,
    /\[([^\]]+)\]\(([^)\s]+)\)/.source,
    /\*\*(.+?)\*\*|__(.+?)__/.source,
    // Italic underscores only around words: snake_case_names stay as they are.
    /\*([^*\s](?:[^*]*[^*\s])?)\*|(?<!\w)_([^_\s](?:[^_]*[^_\s])?)_(?!\w)/.source,
  ].join("|"),
);
/** Links keep only web and mail targets; a `javascript:` link in scanned text stays plain text. */
const SAFE_HREF = /^(https?:\/\/|mailto:)/i;

function text(value: string, marks: AdfMark[]): AdfText {
  return marks.length > 0 ? { type: "text", text: value, marks } : { type: "text", text: value };
}

export function inlineToAdf(source: string, marks: AdfMark[] = []): AdfText[] {
  const nodes: AdfText[] = [];
  let rest = source;
  while (rest.length > 0) {
    const match = INLINE.exec(rest);
    if (!match) {
      nodes.push(text(rest, marks));
      break;
    }
    if (match.index > 0) nodes.push(text(rest.slice(0, match.index), marks));
    const [whole, code, linkText, href, strong1, strong2, em1, em2] = match;
    if (code !== undefined) {
      // ADF allows only a link beside the code mark.
      nodes.push(text(code, [...marks.filter((mark) => mark.type === "link"), { type: "code" }]));
    } else if (linkText !== undefined && href !== undefined) {
      if (SAFE_HREF.test(href))
        nodes.push(...inlineToAdf(linkText, [...marks, { type: "link", attrs: { href } }]));
      else nodes.push(text(whole, marks));
    } else if ((strong1 ?? strong2) !== undefined) {
      nodes.push(...inlineToAdf((strong1 ?? strong2)!, [...marks, { type: "strong" }]));
    } else {
      nodes.push(...inlineToAdf((em1 ?? em2)!, [...marks, { type: "em" }]));
    }
    rest = rest.slice(match.index + whole.length);
  }
  return mergeAdjacent(nodes);
}

/** Neighbouring texts with the same marks are one text node (a refused link rejoins its sentence). */
function mergeAdjacent(nodes: AdfText[]): AdfText[] {
  const merged: AdfText[] = [];
  for (const node of nodes) {
    const last = merged.at(-1);
    if (last && JSON.stringify(last.marks) === JSON.stringify(node.marks))
      merged[merged.length - 1] = { ...last, text: last.text + node.text };
    else merged.push(node);
  }
  return merged;
}

function paragraph(source: string): AdfNode {
  return { type: "paragraph", content: inlineToAdf(source) };
}

const FENCE = /^\s*(```|~~~)\s*([\w+#.-]*)\s*$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const ORDERED = /^\s*(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^\s*>\s?(.*)$/;
const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;

function isBlockStart(line: string): boolean {
  return [FENCE, HEADING, BULLET, ORDERED, QUOTE, RULE].some((pattern) => pattern.test(line));
}

function blocks(lines: string[]): AdfNode[] {
  const content: AdfNode[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    const fence = FENCE.exec(line);
    if (line.trim() === "") {
      index += 1;
    } else if (fence) {
      const code: string[] = [];
      index += 1;
      while (index < lines.length && lines[index]!.trim() !== fence[1]) code.push(lines[index++]!);
      index += 1;
      const body = code.join("\n");
      content.push({
        type: "codeBlock",
        ...(fence[2] ? { attrs: { language: fence[2] } } : {}),
        content: body ? [{ type: "text", text: body }] : [],
      });
    } else if (RULE.test(line)) {
      content.push({ type: "rule" });
      index += 1;
    } else if (HEADING.test(line)) {
      const [, hashes, title] = HEADING.exec(line)!;
      content.push({ type: "heading", attrs: { level: hashes!.length }, content: inlineToAdf(title!) });
      index += 1;
    } else if (BULLET.test(line) || ORDERED.test(line)) {
      const ordered = ORDERED.exec(line);
      const pattern = ordered ? ORDERED : BULLET;
      const items: AdfNode[] = [];
      while (index < lines.length && pattern.test(lines[index]!)) {
        const match = pattern.exec(lines[index]!)!;
        items.push({ type: "listItem", content: [paragraph(match[match.length - 1]!)] });
        index += 1;
      }
      content.push(
        ordered
          ? { type: "orderedList", attrs: { order: Number(ordered[1]) }, content: items }
          : { type: "bulletList", content: items },
      );
    } else if (QUOTE.test(line)) {
      const quoted: string[] = [];
      while (index < lines.length && QUOTE.test(lines[index]!)) quoted.push(QUOTE.exec(lines[index++]!)![1]!);
      content.push({ type: "blockquote", content: blocks(quoted) });
    } else {
      const joined: string[] = [];
      while (
        index < lines.length &&
        lines[index]!.trim() !== "" &&
        (joined.length === 0 || !isBlockStart(lines[index]!))
      )
        joined.push(lines[index++]!.trim());
      content.push(paragraph(joined.join(" ")));
    }
  }
  return content;
}

export function markdownToAdf(markdown: string): AdfDocument {
  return { version: 1, type: "doc", content: blocks(markdown.replace(/\r\n?/g, "\n").split("\n")) };
}
