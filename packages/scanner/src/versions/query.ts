import type { FingerprintDatabase } from "../fingerprints/compile";
import type { PageSnapshot } from "../types";
import { technologyOfFile } from "./names";
import type { VersionObservation } from "./observation";

/** Query parameters that carry an asset's version when they are not cache-busters. */
const VERSION_PARAMS = ["ver", "v", "version"];

/**
 * Platforms whose own asset folders are stamped with the platform's version.
 * WordPress's `/wp-includes/` ones are read by the project rule
 * rules/wordpress-asset-versions.json (on the HTML itself), not again here.
 */
const PLATFORM_PATHS: { technology: string; path: RegExp }[] = [
  { technology: "Drupal", path: /\/core\/(?:misc|modules|themes|assets)\// },
];

/**
 * What a technology's versions look like. A value of another shape (a
 * timestamp, a hash, a build number, `v=2`) is a cache-buster.
 */
const VERSION_SCHEMES: Record<string, RegExp> = {
  Drupal: /^(?:[7-9]|1\d)\.\d{1,2}(?:\.\d{1,2})?$/,
};
const DEFAULT_SCHEME = /^\d{1,2}\.\d{1,3}(?:\.\d{1,3})?(?:-[0-9a-z.]+)?$/i;

interface VersionedAsset {
  url: string;
  kind: "scriptSrc" | "css";
  value: string;
  /** The library the file is (by its name), or the platform whose folder it is in. */
  owner: { technology: string; library: boolean } | null;
}

function versionedAsset(
  url: string,
  kind: VersionedAsset["kind"],
  db: FingerprintDatabase,
): VersionedAsset | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const param = VERSION_PARAMS.find((name) => parsed.searchParams.has(name));
  if (!param) return null;
  const value = parsed.searchParams.get(param)!.trim();
  const library = technologyOfFile(db, url);
  const platform = library ? undefined : PLATFORM_PATHS.find((p) => p.path.test(parsed.pathname));
  const owner = library
    ? { technology: library, library: true }
    : platform
      ? { technology: platform.technology, library: false }
      : null;
  return { url, kind, value, owner };
}

/**
 * Versions from `?ver=`/`?v=`/`?version=` on a page's scripts and
 * stylesheets. A value counts only for the library the file is or the
 * platform whose folder holds it, only when it has that technology's version
 * shape, and not when the same value also stamps files that are not that
 * library (a site-wide build number); a platform stamps its own version on
 * plugin and theme files that have none, so unowned files do not count
 * against it, other libraries do.
 */
export function versionsInQueries(page: PageSnapshot, db: FingerprintDatabase): VersionObservation[] {
  const assets = [
    ...page.scriptSrc.map((url) => versionedAsset(url, "scriptSrc", db)),
    ...page.stylesheets.map((url) => versionedAsset(url, "css", db)),
  ].filter((asset) => asset !== null);
  const found: VersionObservation[] = [];
  for (const asset of assets) {
    const { owner, value } = asset;
    if (!owner) continue;
    if (!(VERSION_SCHEMES[owner.technology] ?? DEFAULT_SCHEME).test(value)) continue;
    const stampsOthers = assets.some(
      (other) =>
        other.value === value &&
        other.owner?.technology !== owner.technology &&
        (owner.library || other.owner?.library === true),
    );
    if (stampsOthers) continue;
    const param = new URL(asset.url).search;
    found.push({
      technology: owner.technology,
      version: value,
      source: "query",
      confidence: owner.library ? 80 : 100,
      evidence: {
        kind: asset.kind,
        collector: "version",
        url: page.url,
        locator: asset.url,
        snippet: asset.url,
        focus: asset.url.indexOf(param),
      },
    });
  }
  return found;
}
