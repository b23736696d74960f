import { parseRobots } from "../crawl/robots";
import { EvidenceSet, sha256Hex } from "../evidence";
import { analyzePage } from "../fingerprints/analyze";
import { getFingerprintDatabase } from "../fingerprints/compile";
import { resolveMatches } from "../fingerprints/detect";
import type { SafeFetcher } from "../net";
import type { PageSnapshot, VersionFile } from "../types";
import { type PlannedFile, planVersionFiles } from "./files";

/** Bytes read of each metadata file, and characters kept of it for the detect stage. */
const MAX_FILE_BYTES = 64 * 1024;
const KEPT_CHARS = 16 * 1024;
/** A platform's static file is hashed whole: as much as the crawler reads of a script. */
const MAX_HASHED_FILE_BYTES = 512 * 1024;

/** Crawled pages read for the platform: it shows on the first ones, and each costs a fingerprint pass. */
const PLATFORM_PAGES = 3;

/**
 * The platforms whose conventional files are worth a request, found on the
 * first crawled pages, each with the version its fingerprints read (or null).
 */
export function detectPlatforms(
  pages: PageSnapshot[],
  db = getFingerprintDatabase(),
): Map<string, string | null> {
  const findings = resolveMatches(
    pages.slice(0, PLATFORM_PAGES).flatMap((page) => analyzePage(page, db)),
    new EvidenceSet(),
    db,
  );
  return new Map(findings.map((finding) => [finding.name, finding.version]));
}

/**
 * Fetch the planned files that robots.txt allows, one after another, each
 * bounded, through the scan's fetcher (its address policy and byte budget).
 * A file that fails or is not there is left out.
 */
export async function fetchVersionFiles(
  plan: PlannedFile[],
  fetcher: SafeFetcher,
  robots: { url: string; text: string | null },
): Promise<VersionFile[]> {
  const rules = parseRobots(robots.url, robots.text);
  const files: VersionFile[] = [];
  for (const { url, reader } of plan) {
    if (!rules.isAllowed(url) || fetcher.signal?.aborted) continue;
    try {
      const hashed = reader === "platform-hash";
      const response = await fetcher.fetch(url, {
        allowedContentTypes: null,
        maxResponseBytes: hashed ? MAX_HASHED_FILE_BYTES : MAX_FILE_BYTES,
      });
      if (response.status !== 200) continue;
      const content = response.text.slice(0, KEPT_CHARS);
      files.push({ url, reader, content, ...(hashed ? { sha256: sha256Hex(response.text) } : {}) });
    } catch {
      // A file that cannot be had says nothing about versions.
    }
  }
  return files;
}

/**
 * The metadata files of the platforms the crawled pages show (see
 * `planVersionFiles`), fetched within robots.txt and the fetcher's limits.
 */
export async function platformVersionFiles(
  pages: PageSnapshot[],
  origin: string,
  robots: { url: string; text: string | null },
  fetcher: SafeFetcher,
): Promise<VersionFile[]> {
  const plan = planVersionFiles(pages, detectPlatforms(pages), origin);
  return plan.length ? fetchVersionFiles(plan, fetcher, robots) : [];
}
