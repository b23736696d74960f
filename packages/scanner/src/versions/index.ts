import { isSameSite } from "../crawl/url";
import type { FingerprintDatabase } from "../fingerprints/compile";
import type { PageSnapshot, SiteContext } from "../types";
import { type AssetBody, versionsInAsset } from "./assets";
import { versionsInFile } from "./files";
import { versionsInWords } from "./generator";
import type { VersionObservation } from "./observation";
import { versionsInQueries } from "./query";

export { planVersionFiles, MAX_VERSION_FILES, type PlannedFile } from "./files";
export type { VersionObservation, VersionSource } from "./observation";

function sameSite(url: string, pageUrl: string): boolean {
  try {
    return isSameSite(url, pageUrl);
  } catch {
    return false;
  }
}

/** The page's same-site JS and CSS bodies not read yet in this detection (each file is read once). */
function newAssets(page: PageSnapshot, read: Set<string>): AssetBody[] {
  const assets: AssetBody[] = [
    ...page.scripts.flatMap((script) =>
      script.url ? [{ url: script.url, content: script.content, kind: "script" as const }] : [],
    ),
    ...(page.stylesheetBodies ?? []).map((sheet) => ({ ...sheet, kind: "css" as const })),
  ];
  return assets.filter((asset) => {
    if (read.has(asset.url) || !sameSite(asset.url, page.url)) return false;
    read.add(asset.url);
    return true;
  });
}

/**
 * Every version the pages and the site's metadata files state, beyond the
 * fingerprint patterns: banners, constants and hashes of same-site assets,
 * asset query strings, generator tags and footers, platform metadata files.
 */
export function observeVersions(
  pages: PageSnapshot[],
  site: SiteContext,
  db: FingerprintDatabase,
): VersionObservation[] {
  const read = new Set<string>();
  return [
    ...pages.flatMap((page) => [
      ...newAssets(page, read).flatMap((asset) => versionsInAsset(asset, db)),
      ...versionsInQueries(page, db),
      ...versionsInWords(page, db),
    ]),
    ...(site.versionFiles ?? []).flatMap((file) => versionsInFile(file, db)),
  ];
}
