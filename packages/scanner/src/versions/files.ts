import { isSameSite } from "../crawl/url";
import type { EvidenceKind } from "../evidence";
import type { FingerprintDatabase } from "../fingerprints/compile";
import type { PageSnapshot, VersionFile, VersionFileReader } from "../types";
import { platformHashes, versionsOfHash } from "./hashes";
import { technologyCalled } from "./names";
import { evidenceInText, type VersionObservation } from "./observation";

/** Metadata files fetched per scan at most. */
export const MAX_VERSION_FILES = 8;
/** Themes and plugins whose metadata is read, each. */
const MAX_EXTENSIONS = 3;
/** Static files of a platform whose hash is looked up, when nothing else gave its version. */
const MAX_HASHED_FILES = 2;

export interface PlannedFile {
  url: string;
  reader: VersionFileReader;
}

const WP_EXTENSION = /\/wp-content\/(themes|plugins)\/([\w.-]+)\//g;
const FEED_LINK = /<link\b[^>]*\btype\s*=\s*["']application\/rss\+xml["'][^>]*>/gi;
const HREF = /\bhref\s*=\s*["']([^"']+)["']/i;

/**
 * The metadata files that state the versions of a detected platform and its
 * extensions: WordPress's feed generator and the `style.css` / `readme.txt`
 * of the themes and plugins the pages load; Drupal's CHANGELOG.txt; Joomla's
 * files manifest; and, for a platform whose version the pages do not show,
 * its static files at their conventional path (`platform-hashes.json`) that
 * no page loads already. Nothing for a platform that was not detected.
 * `platforms` maps each detected platform to the version its fingerprints read, or null.
 */
export function planVersionFiles(
  pages: PageSnapshot[],
  platforms: ReadonlyMap<string, string | null>,
  origin: string,
): PlannedFile[] {
  const plan: PlannedFile[] = [];
  const add = (path: string, reader: VersionFileReader, base = origin) => {
    let url: string;
    try {
      url = new URL(path, base).href;
    } catch {
      return;
    }
    if (isSameSite(url, origin) && !plan.some((file) => file.url === url)) plan.push({ url, reader });
  };
  if (platforms.has("WordPress")) {
    const feed = pages
      .flatMap((page) => [...page.html.matchAll(FEED_LINK)].map((tag) => ({ page, tag: tag[0] })))
      .map(({ page, tag }) => ({ page, href: HREF.exec(tag)?.[1] }))
      .find(({ href }) => href !== undefined);
    add(feed?.href ?? "/feed/", "wordpress-feed", feed?.page.url);
    const seen = { themes: new Set<string>(), plugins: new Set<string>() };
    for (const page of pages) {
      for (const url of [...page.stylesheets, ...page.scriptSrc]) {
        for (const match of url.matchAll(WP_EXTENSION)) {
          const kind = match[1] as "themes" | "plugins";
          const slug = match[2]!;
          if (seen[kind].has(slug) || seen[kind].size >= MAX_EXTENSIONS) continue;
          seen[kind].add(slug);
          // Next to the asset's own folder, so a WordPress installed under a path is read there.
          const folder = url.slice(0, match.index + match[0].length);
          if (kind === "themes") add("style.css", "wordpress-theme", folder);
          else add("readme.txt", "wordpress-plugin", folder);
        }
      }
    }
  }
  if (platforms.has("Drupal")) {
    add("/core/CHANGELOG.txt", "drupal-changelog");
    add("/CHANGELOG.txt", "drupal-changelog");
  }
  if (platforms.has("Joomla")) add("/administrator/manifests/files/joomla.xml", "joomla-manifest");
  const loaded = pages.flatMap((page) => [...page.scriptSrc, ...page.stylesheets]);
  const loadsAlready = (path: string) => loaded.some((url) => pathOf(url).endsWith(`/${path}`));
  for (const [platform, version] of platforms) {
    if (version !== null) continue;
    const paths = new Set(platformHashes().flatMap((row) => (row.technology === platform ? [row.path] : [])));
    // A file the pages load was hashed with them: its platform's version is known or not to be had.
    if ([...paths].some(loadsAlready)) continue;
    for (const path of [...paths].slice(0, MAX_HASHED_FILES)) add(`/${path}`, "platform-hash");
  }
  return plan.slice(0, MAX_VERSION_FILES);
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

interface FileReading {
  /** The pattern whose first group is the version; a second group, when present, names the technology. */
  pattern: RegExp;
  kind: EvidenceKind;
  /** The technology when the file states no name of its own. */
  technology?: string;
}

const READINGS: Record<Exclude<VersionFileReader, "platform-hash">, FileReading> = {
  "wordpress-feed": {
    pattern: /<generator>\s*https?:\/\/wordpress\.org\/\?v=(\d+\.\d+(?:\.\d+)?)\s*<\/generator>/i,
    kind: "page",
    technology: "WordPress",
  },
  "wordpress-theme": {
    pattern: /^[ \t/*#@]*Theme Name:[ \t]*([^\r\n]+)[\s\S]*?^[ \t/*#@]*Version:[ \t]*(\S+)/im,
    kind: "css",
  },
  "wordpress-plugin": {
    pattern: /^===[ \t]*([^\r\n=]+?)[ \t]*===[\s\S]*?^Stable tag:[ \t]*(\S+)/im,
    kind: "page",
  },
  "drupal-changelog": { pattern: /^Drupal (\d+\.\d+(?:\.\d+)?),/m, kind: "page", technology: "Drupal" },
  "joomla-manifest": {
    pattern: /<extension\b[^>]*>[\s\S]*?<version>\s*(\d+\.\d+(?:\.\d+)?)\s*<\/version>/i,
    kind: "page",
    technology: "Joomla",
  },
};

/** The version a fetched metadata file states, for the technology it belongs to. */
export function versionsInFile(file: VersionFile, db: FingerprintDatabase): VersionObservation[] {
  if (file.reader === "platform-hash") {
    const kind = /\.css$/i.test(pathOf(file.url))
      ? "css"
      : /\.js$/i.test(pathOf(file.url))
        ? "script"
        : "page";
    return file.sha256 ? versionsOfHash(file.url, file.sha256, kind) : [];
  }
  const reading = READINGS[file.reader];
  const match = reading.pattern.exec(file.content);
  if (!match) return [];
  const technology = reading.technology ?? technologyCalled(db, match[1]!);
  const version = reading.technology ? match[1]! : match[2]!;
  if (!technology) return [];
  // The version is the last thing matched: cite its line.
  const at = match.index + match[0].length - version.length;
  return [
    {
      technology,
      version,
      source: "file",
      confidence: 100,
      evidence: evidenceInText({ url: file.url, content: file.content, kind: reading.kind }, at, version),
    },
  ];
}
