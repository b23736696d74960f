import type { EvidenceKind } from "../evidence";
import type { FingerprintDatabase } from "../fingerprints/compile";
import { versionsFromHash } from "./hashes";
import { technologyCalled, technologyOfFile } from "./names";
import { evidenceInText, type VersionObservation } from "./observation";

/** A fetched JS or CSS file the page loads. */
export interface AssetBody {
  url: string;
  content: string;
  kind: Extract<EvidenceKind, "script" | "css">;
}

const VERSION = String.raw`(\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z.]+)?)`;

/**
 * A licence banner at the start of a comment: `/*! jQuery v3.7.1 |`,
 * `/*!\n * Bootstrap v5.3.2 (`, `/** @license React v16.14.0`,
 * `/*! jQuery UI - v1.13.2 -`. The name is checked against the database.
 */
const BANNER = new RegExp(
  String.raw`(?:\/\*[!*]?|\/\/!)[ \t]*(?:\r?\n[ \t]*\*?[ \t]*)?(?:@license[ \t]+)?` +
    String.raw`([A-Za-z][\w.+-]*(?:[ \t][A-Za-z][\w.+-]*){0,3})[ \t]+(?:-[ \t]+)?v?` +
    VERSION +
    String.raw`(?![\w.])`,
  "g",
);

/** A library's version constant: `VERSION = "4.17.21"`, `.version = '2.29.4'`, `get VERSION(){return"5.3.2"}`. */
const CONSTANT = new RegExp(
  String.raw`(?:\bVERSION\s*=\s*|\.version\s*=\s*|\bget VERSION\(\)\s*\{\s*return\s*)["']` + VERSION + `["']`,
  "g",
);

/** Confidence of a constant named by the file it is in, and of one only placed after a banner. */
const CONSTANT_IN_NAMED_FILE = 80;
const CONSTANT_AFTER_BANNER = 60;

function observation(
  asset: AssetBody,
  technology: string,
  version: string,
  source: VersionObservation["source"],
  confidence: number,
  match: RegExpExecArray,
): VersionObservation {
  // Cite the line the version is on (a banner's name can be a line above it).
  const at = match.index + match[0].lastIndexOf(version);
  return {
    technology,
    version,
    source,
    confidence,
    evidence: evidenceInText(asset, at, version),
  };
}

/**
 * Versions inside one JS or CSS file: licence banners of libraries the
 * database knows, version constants of the library the file is (by its name)
 * or that the nearest banner above introduced, and the file's hash when it is
 * a release file byte for byte.
 */
export function versionsInAsset(asset: AssetBody, db: FingerprintDatabase): VersionObservation[] {
  const found: VersionObservation[] = versionsFromHash(asset.url, asset.content, asset.kind);
  const banners: { at: number; technology: string }[] = [];
  for (const match of asset.content.matchAll(BANNER)) {
    const technology = technologyCalled(db, match[1]!);
    if (!technology) continue;
    banners.push({ at: match.index, technology });
    found.push(observation(asset, technology, match[2]!, "banner", 100, match));
  }
  const fileTechnology = technologyOfFile(db, asset.url);
  for (const match of asset.content.matchAll(CONSTANT)) {
    const banner = banners.findLast((b) => b.at < match.index);
    const technology = fileTechnology ?? banner?.technology;
    if (!technology) continue;
    const confidence = fileTechnology ? CONSTANT_IN_NAMED_FILE : CONSTANT_AFTER_BANNER;
    found.push(observation(asset, technology, match[1]!, "constant", confidence, match));
  }
  return found;
}
