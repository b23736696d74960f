/**
 * Regenerate src/versions/release-hashes.json: the sha-256 of well-known
 * release files, mapped to the library and versions that shipped them
 * (retire.js-style). Each version's package is fetched with `npm pack` (the
 * npm registry, through npm itself) into a temporary folder; only the table
 * is kept.
 *
 *   pnpm --filter @techscaniq/scanner exec tsx scripts/refresh-release-hashes.ts
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256Hex } from "../src/evidence";
import { unpackNpm } from "./npm-pack";
import { RELEASE_HASHES_FILE, type ReleaseHashTable } from "../src/versions/hashes";

interface Release {
  /** npm package name. */
  pkg: string;
  /** Technology name as the fingerprint database spells it. */
  technology: string;
  versions: string[];
  /** Files inside the package (under `package/`) that sites serve as they are. */
  files: (version: string) => string[];
}

const RELEASES: Release[] = [
  {
    pkg: "jquery",
    technology: "jQuery",
    versions: [
      "1.8.3",
      "1.11.3",
      "1.12.4",
      "2.2.4",
      "3.3.1",
      "3.4.1",
      "3.5.1",
      "3.6.0",
      "3.6.4",
      "3.7.0",
      "3.7.1",
    ],
    files: () => ["dist/jquery.js", "dist/jquery.min.js"],
  },
  {
    pkg: "bootstrap",
    technology: "Bootstrap",
    versions: ["3.3.7", "3.4.1", "4.6.2", "5.1.3", "5.2.3", "5.3.2", "5.3.3"],
    files: () => [
      "dist/js/bootstrap.min.js",
      "dist/js/bootstrap.bundle.min.js",
      "dist/css/bootstrap.min.css",
      "dist/css/bootstrap.css",
    ],
  },
  {
    pkg: "lodash",
    technology: "Lodash",
    versions: ["4.17.15", "4.17.20", "4.17.21"],
    files: () => ["lodash.js", "lodash.min.js"],
  },
  {
    pkg: "moment",
    technology: "Moment.js",
    versions: ["2.24.0", "2.29.1", "2.29.4", "2.30.1"],
    files: () => ["moment.js", "min/moment.min.js"],
  },
  {
    pkg: "angular",
    technology: "AngularJS",
    versions: ["1.5.8", "1.7.9", "1.8.2", "1.8.3"],
    files: () => ["angular.js", "angular.min.js"],
  },
];

function main(): void {
  const work = mkdtempSync(join(tmpdir(), "release-hashes-"));
  const table: ReleaseHashTable = {};
  try {
    for (const release of RELEASES) {
      for (const version of release.versions) {
        const root = unpackNpm(`${release.pkg}@${version}`, work);
        for (const file of release.files(version)) {
          let body: Buffer;
          try {
            body = readFileSync(join(root, file));
          } catch {
            continue; // not every version ships every file
          }
          const entries = (table[sha256Hex(body)] ??= []);
          entries.push({ technology: release.technology, version, file: `${release.pkg}/${file}` });
        }
        console.log(`${release.pkg}@${version}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const sorted = Object.fromEntries(Object.entries(table).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(RELEASE_HASHES_FILE, JSON.stringify(sorted, null, 2) + "\n");
  console.log(`${Object.keys(sorted).length} hashes written to ${RELEASE_HASHES_FILE}`);
}

main();
