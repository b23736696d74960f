import { createHash } from "node:crypto";
import type { EvidenceSet } from "../evidence";
import type { Severity, VulnerabilityFinding } from "../result";
import type { PageSnapshot } from "../types";
import { loadRetireRepository, type RetireRepository, type RetireVulnerability } from "./repository";
import { inRange } from "./version";

/** retire.js's version placeholder and the pattern it stands for. */
const VERSION_PLACEHOLDER = /§§version§§/g;
const VERSION_PATTERN = "[0-9][0-9.a-z_\\-]+";
/** retire's marker for URLs that must not be reported (e.g. Google Analytics' ga.js). */
const DONT_CHECK = "dont check";
/** Characters of script text kept on each side of a version match in the evidence. */
const CONTEXT_CHARS = 120;

interface CompiledComponent {
  name: string;
  vulnerabilities: RetireVulnerability[];
  uri: RegExp[];
  filename: RegExp[];
  filecontent: RegExp[];
  filecontentreplace: { pattern: RegExp; replacement: string }[];
  hashes: Map<string, string>;
}

function compile(pattern: string, component: string, anchored = false): RegExp {
  const source = pattern.replace(VERSION_PLACEHOLDER, VERSION_PATTERN);
  try {
    return new RegExp(anchored ? `^${source}$` : source, "g");
  } catch (error) {
    throw new Error(
      `retire extractor for ${component} is not a valid regular expression: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

const compiledRepositories = new WeakMap<RetireRepository, CompiledComponent[]>();

function compileRepository(repository: RetireRepository): CompiledComponent[] {
  let compiled = compiledRepositories.get(repository);
  if (compiled) return compiled;
  compiled = Object.entries(repository).map(([name, c]) => ({
    name,
    vulnerabilities: c.vulnerabilities,
    uri: (c.extractors.uri ?? []).map((p) => compile(p, name)),
    filename: (c.extractors.filename ?? []).map((p) => compile(p, name, true)),
    filecontent: (c.extractors.filecontent ?? []).map((p) => compile(p, name)),
    filecontentreplace: (c.extractors.filecontentreplace ?? []).map((spec) => {
      // "/regex/replacement/"
      const parts = /^\/(.*[^\\])\/([^/]+)\/$/.exec(spec);
      if (!parts) throw new Error(`retire filecontentreplace for ${name} is malformed: ${spec}`);
      return { pattern: compile(parts[1]!, name), replacement: parts[2]! };
    }),
    hashes: new Map(Object.entries(c.extractors.hashes ?? {})),
  }));
  compiledRepositories.set(repository, compiled);
  return compiled;
}

export interface LibraryDetection {
  library: string;
  version: string;
  /** How it was found: "uri", "filename", "filecontent", "filecontentreplace" or "hash". */
  detection: string;
  /** Where the version shows: index and length of the match in the scanned text. */
  index: number;
  length: number;
}

/** retire drops a trailing ".min"/"-min" that the loose version pattern swallows. */
const cleanVersion = (version: string) => version.replace(/(\.|-)min$/, "");

function allMatches(re: RegExp, text: string): RegExpExecArray[] {
  re.lastIndex = 0;
  const out: RegExpExecArray[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(m);
    if (m[0].length === 0) re.lastIndex++;
  }
  return out;
}

function detectWith(
  components: CompiledComponent[],
  text: string,
  extractor: "uri" | "filename" | "filecontent",
  offset = 0,
): LibraryDetection[] {
  const found: LibraryDetection[] = [];
  for (const component of components) {
    if (component.name === DONT_CHECK) continue;
    for (const re of component[extractor]) {
      for (const m of allMatches(re, text)) {
        if (m[1] === undefined) continue;
        const at = m.index + Math.max(0, m[0].indexOf(m[1]));
        found.push({
          library: component.name,
          version: cleanVersion(m[1]),
          detection: extractor,
          index: offset + at,
          length: m[1].length,
        });
      }
    }
  }
  return found;
}

/** Libraries and versions named by a script URL (its full URI and its file name). */
export function detectInUrl(url: string, repository: RetireRepository): LibraryDetection[] {
  const components = compileRepository(repository);
  const path = url.split(/[?#]/)[0]!;
  const name = path.split("/").pop() ?? "";
  return [
    ...detectWith(components, url, "uri"),
    ...detectWith(components, name, "filename", path.length - name.length),
  ];
}

/** Libraries and versions in script text: banners and code patterns, then replacements, then known file hashes. */
export function detectInContent(content: string, repository: RetireRepository): LibraryDetection[] {
  const components = compileRepository(repository);
  const text = content.replace(/\r\n|\r/g, "\n");
  const direct = detectWith(components, text, "filecontent");
  if (direct.length > 0) return direct;
  const replaced: LibraryDetection[] = [];
  for (const component of components) {
    for (const { pattern, replacement } of component.filecontentreplace) {
      for (const m of allMatches(pattern, text)) {
        const version = m[0].replace(new RegExp(pattern.source), replacement);
        replaced.push({
          library: component.name,
          version: cleanVersion(version),
          detection: "filecontentreplace",
          index: m.index,
          length: m[0].length,
        });
      }
    }
  }
  if (replaced.length > 0) return replaced;
  const sha1 = createHash("sha1").update(text).digest("hex");
  return components.flatMap((c) => {
    const version = c.hashes.get(sha1);
    return version ? [{ library: c.name, version, detection: "hash", index: 0, length: 0 }] : [];
  });
}

function isDontCheck(url: string, repository: RetireRepository): boolean {
  const dontCheck = compileRepository(repository).find((c) => c.name === DONT_CHECK);
  return dontCheck?.uri.some((re) => allMatches(re, url).length > 0) ?? false;
}

/** CVEs, GitHub advisories and other ids ("bug 11290", "issue 2432"), without the summary. */
function identifiersOf(v: RetireVulnerability): string[] {
  const ids: string[] = [];
  for (const [key, value] of Object.entries(v.identifiers)) {
    if (key === "summary") continue;
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) ids.push(key === "CVE" || key === "githubID" ? item : `${key} ${item}`);
  }
  return ids;
}

function summaryOf(v: RetireVulnerability): string | null {
  const summary = v.identifiers.summary;
  return typeof summary === "string" ? summary.trim() : null;
}

/**
 * Known-vulnerable JavaScript libraries on the pages, by retire.js's rules and
 * data (offline): script URLs and script contents, inline and fetched. One
 * finding per library version and advisory, citing every place the version
 * was seen.
 */
export function findVulnerableLibraries(
  pages: PageSnapshot[],
  evidence: EvidenceSet,
  opts: { repository?: RetireRepository } = {},
): VulnerabilityFinding[] {
  const repository = opts.repository ?? loadRetireRepository().repository;
  const components = new Map(compileRepository(repository).map((c) => [c.name, c]));
  const seen = new Map<string, string[]>(); // "library\0version" → evidence ids

  const record = (detections: LibraryDetection[], evidenceFor: (d: LibraryDetection) => string) => {
    for (const d of detections) {
      const key = `${d.library}\u0000${d.version}`;
      const ids = seen.get(key) ?? [];
      const id = evidenceFor(d);
      if (!ids.includes(id)) ids.push(id);
      seen.set(key, ids);
    }
  };

  for (const page of pages) {
    const urls = new Set([...page.scriptSrc, ...page.scripts.flatMap((s) => (s.url ? [s.url] : []))]);
    for (const url of urls) {
      if (isDontCheck(url, repository)) continue;
      record(
        detectInUrl(url, repository),
        (d) =>
          evidence.add({
            kind: "scriptSrc",
            collector: "retire",
            url: page.url,
            locator: url,
            snippet: url,
            focus: d.index,
          }).id,
      );
    }
    page.scripts.forEach((script, n) => {
      if (script.url && isDontCheck(script.url, repository)) return;
      const text = script.content.replace(/\r\n|\r/g, "\n");
      record(detectInContent(text, repository), (d) => {
        const start = Math.max(0, d.index - CONTEXT_CHARS);
        const snippet = d.detection === "hash" ? text : text.slice(start, d.index + d.length + CONTEXT_CHARS);
        return evidence.add({
          kind: "script",
          collector: "retire",
          url: page.url,
          locator: script.url ?? `inline script #${n + 1}`,
          snippet,
          focus: d.index - start,
        }).id;
      });
    });
  }

  const findings: VulnerabilityFinding[] = [];
  for (const [key, ids] of seen) {
    const [library, version] = key.split("\u0000") as [string, string];
    for (const v of components.get(library)?.vulnerabilities ?? []) {
      if (!inRange(version, v) || v.excludes?.includes(version)) continue;
      findings.push({
        library,
        version,
        severity: v.severity as Severity,
        identifiers: identifiersOf(v),
        summary: summaryOf(v),
        info: v.info,
        evidence: ids,
      });
    }
  }
  return findings;
}
