import { type CheerioAPI, load } from "cheerio/slim";
import type { PageSnapshot } from "../types";
import { TextIndex } from "./text-index";

/** The parts of an htmlparser2 node the engine reads. */
export interface DomNode {
  type: string;
  name?: string;
  attribs?: Record<string, string>;
  children?: DomNode[];
  data?: string;
  startIndex: number | null;
  endIndex: number | null;
}

export interface MetaTag {
  content: string;
  /** The tag exactly as written in the page. */
  source: string;
}

export interface Located {
  /** Script URL, "inline script #2", "inline style #1", ... */
  locator: string;
  content: string;
}

/** Everything the patterns of one page look at, extracted in one walk of one parse. */
export interface PageInputs {
  url: string;
  html: string;
  /** The lower-cased source, indexed for literal look-ups. */
  htmlIndex: TextIndex;
  $: CheerioAPI;
  /**
   * The elements carrying each name present in the page ("t:div", "#id",
   * ".class", "@attribute"), in document order: a selector is only tried on
   * the elements that carry a name it requires, not on the whole document.
   */
  elementsByName: Map<string, DomNode[]>;
  /** Each element's position in document order, to merge element lists back into that order. */
  documentOrder: Map<DomNode, number>;
  meta: Map<string, MetaTag[]>;
  scriptSrc: string[];
  scripts: Located[];
  styles: Located[];
  /** Visible text of the body. */
  text: string;
  /** Lower-case cookie name → the name as sent and its values. */
  cookies: Map<string, { name: string; values: string[] }>;
}

const NON_TEXT = new Set(["script", "style", "noscript", "template"]);

function absoluteUrl(src: string, base: string): string | null {
  try {
    return new URL(src, base).href;
  } catch {
    return null;
  }
}

/** The source of an element's opening tag (or the whole element when it has no children). */
export function openingTagSource(html: string, node: DomNode): string {
  if (node.startIndex === null) return "";
  const firstChild = node.children?.[0];
  const end =
    firstChild && firstChild.startIndex !== null
      ? firstChild.startIndex
      : (node.endIndex ?? node.startIndex) + 1;
  return html.slice(node.startIndex, end);
}

export function nodeText(node: DomNode): string {
  if (node.type === "text") return node.data ?? "";
  return (node.children ?? []).map(nodeText).join("");
}

function cookieNameValue(setCookie: string): [string, string] | null {
  const pair = setCookie.split(";", 1)[0] ?? "";
  const eq = pair.indexOf("=");
  if (eq <= 0) return null;
  return [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
}

export function extractPageInputs(page: PageSnapshot): PageInputs {
  const html = page.html;
  const $ = load(html, {
    xml: { xmlMode: false, withStartIndices: true, withEndIndices: true, decodeEntities: true },
  });
  const elementsByName = new Map<string, DomNode[]>();
  const documentOrder = new Map<DomNode, number>();
  const addName = (name: string, node: DomNode) => {
    const list = elementsByName.get(name);
    if (!list) elementsByName.set(name, [node]);
    else if (list[list.length - 1] !== node) list.push(node);
  };
  const meta = new Map<string, MetaTag[]>();
  const scriptSrc = new Set(page.scriptSrc);
  const scripts: Located[] = page.scripts.map((s, i) => ({
    locator: s.url ?? `inline script #${i + 1}`,
    content: s.content,
  }));
  const knownScripts = new Set(page.scripts.map((s) => s.content));
  const styles: Located[] = [];
  const textParts: string[] = [];

  const walk = (node: DomNode, inBody: boolean, inNonText: boolean): void => {
    if (node.type === "text") {
      if (inBody && !inNonText) {
        const text = (node.data ?? "").replace(/\s+/g, " ").trim();
        if (text) textParts.push(text);
      }
      return;
    }
    const name = node.name;
    if (name !== undefined) {
      documentOrder.set(node, documentOrder.size);
      addName("t:" + name, node);
      const attribs = node.attribs ?? {};
      for (const [attribute, value] of Object.entries(attribs)) {
        addName("@" + attribute, node);
        if (attribute === "id") addName("#" + value, node);
        else if (attribute === "class")
          for (const cls of value.split(/\s+/)) if (cls) addName("." + cls, node);
      }
      if (name === "meta") {
        const key = (attribs.name ?? attribs.property ?? attribs["http-equiv"])?.toLowerCase();
        if (key && attribs.content !== undefined) {
          const tag = { content: attribs.content, source: openingTagSource(html, node) };
          const list = meta.get(key);
          if (list) list.push(tag);
          else meta.set(key, [tag]);
        }
      } else if (name === "script") {
        if (attribs.src) {
          const src = absoluteUrl(attribs.src, page.url);
          if (src) scriptSrc.add(src);
        } else {
          const content = nodeText(node);
          if (content.trim() && !knownScripts.has(content)) {
            scripts.push({ locator: `inline script #${scripts.length + 1}`, content });
          }
        }
      } else if (name === "style") {
        styles.push({ locator: `inline style #${styles.length + 1}`, content: nodeText(node) });
      }
    }
    const childInBody = inBody || name === "body";
    const childNonText = inNonText || (name !== undefined && NON_TEXT.has(name));
    for (const child of node.children ?? []) walk(child, childInBody, childNonText);
  };
  walk($.root()[0] as unknown as DomNode, false, false);

  const cookies = new Map<string, { name: string; values: string[] }>();
  const addCookie = (name: string, value: string) => {
    const key = name.toLowerCase();
    const entry = cookies.get(key);
    if (!entry) cookies.set(key, { name, values: [value] });
    else if (!entry.values.includes(value)) entry.values.push(value);
  };
  for (const cookie of page.cookies) addCookie(cookie.name, cookie.value);
  for (const line of page.headers["set-cookie"] ?? []) {
    const pair = cookieNameValue(line);
    if (pair) addCookie(pair[0], pair[1]);
  }

  return {
    url: page.url,
    html,
    htmlIndex: new TextIndex(html.toLowerCase()),
    $,
    elementsByName,
    documentOrder,
    meta,
    scriptSrc: [...scriptSrc],
    scripts,
    styles,
    text: textParts.join(" "),
    cookies,
  };
}
