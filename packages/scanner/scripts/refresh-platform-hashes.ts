/**
 * Regenerate src/versions/platform-hashes.json: the sha-256 of static files
 * that web platforms ship and sites serve unchanged at a conventional path,
 * mapped to the platform version that shipped them. Debian packages are
 * fetched with `apt-get download` (every version `apt-cache madison` lists)
 * and unpacked with `dpkg-deb -x`; npm packages with `npm pack`. All of it in
 * a temporary folder; only the table is kept.
 *
 *   pnpm --filter @techscaniq/scanner exec tsx scripts/refresh-platform-hashes.ts
 */
import { execFileSync } from "node:child_process";
import { lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { sha256Hex } from "../src/evidence";
import { unpackNpm } from "./npm-pack";
import { PLATFORM_HASHES_FILE, type PlatformHash } from "../src/versions/hashes";

interface Platform {
  /** Technology name as the fingerprint database spells it. */
  technology: string;
  /** Files a site serves unchanged, relative to its document root; the ones worth fetching first. */
  files: string[];
  /**
   * Version parts these files pin, when a patch release leaves them as they
   * were (WordPress's security releases change PHP, not these assets).
   */
  pins?: number;
}

interface DebianPlatform extends Platform {
  deb: string;
  /** Where the package puts the document root. */
  root: string;
  /** A file of the package that states the release, when its Debian version does not (DokuWiki's). */
  versionFile?: string;
}

interface NpmPlatform extends Platform {
  npm: string;
  versions: string[];
  /** Where the package's files are served from, relative to the package's folder. */
  root: string;
}

const DEBIAN: DebianPlatform[] = [
  {
    deb: "roundcube-core",
    technology: "RoundCube",
    root: "usr/share/roundcube",
    files: [
      "program/js/common.min.js",
      "program/js/app.min.js",
      "program/js/list.min.js",
      "skins/elastic/ui.min.js",
    ],
  },
  {
    deb: "phpmyadmin",
    technology: "phpMyAdmin",
    root: "usr/share/phpmyadmin",
    files: ["js/dist/common.js", "js/dist/functions.js", "js/dist/ajax.js", "themes/pmahomme/css/theme.css"],
  },
  {
    deb: "dokuwiki",
    technology: "DokuWiki",
    root: "usr/share/dokuwiki",
    files: ["VERSION"],
    versionFile: "VERSION",
  },
  {
    deb: "wordpress",
    technology: "WordPress",
    root: "usr/share/wordpress",
    files: ["wp-includes/css/dist/block-library/style.min.css", "wp-includes/js/wp-emoji-release.min.js"],
    pins: 2,
  },
];

const NPM: NpmPlatform[] = [
  {
    // Served as is by springdoc-openapi (/swagger-ui/…) and by many self-hosted API docs.
    npm: "swagger-ui-dist",
    technology: "Swagger UI",
    versions: ["4.15.5", "4.18.3", "5.9.0", "5.11.0", "5.17.14", "5.18.2"],
    root: ".",
    files: ["swagger-ui.css", "swagger-ui-standalone-preset.js"],
  },
];

/** The upstream release of a Debian version: `4:5.2.1+dfsg-1+deb12u1` → `5.2.1`. */
function upstreamVersion(debian: string): string {
  return debian
    .replace(/^\d+:/, "")
    .replace(/-[^-]+$/, "")
    .replace(/[+~](?:dfsg|ds|repack)\d*.*$/, "");
}

function madison(pkg: string): string[] {
  const out = execFileSync("apt-cache", ["madison", pkg], { encoding: "utf8" });
  const versions = out.split("\n").flatMap((line) => {
    const [name, version] = line.split("|").map((part) => part.trim());
    return name === pkg && version ? [version] : [];
  });
  return [...new Set(versions)];
}

function fetchDeb(pkg: string, version: string, dir: string): string {
  const folder = mkdtempSync(join(dir, `${pkg}-`));
  execFileSync("apt-get", ["download", "-q", `${pkg}=${version}`], { cwd: folder, stdio: "ignore" });
  const deb = readdirSync(folder).find((name) => name.endsWith(".deb"))!;
  const unpacked = join(folder, "root");
  execFileSync("dpkg-deb", ["-x", join(folder, deb), unpacked]);
  rmSync(join(folder, deb));
  return unpacked;
}

/**
 * The file's bytes when a site would serve them as this package ships them:
 * not a symlink into another package (Debian's libjs-* libraries are theirs),
 * and valid UTF-8, since the scanner hashes the text it decoded.
 */
function servedBytes(path: string): Buffer | null {
  try {
    if (lstatSync(path).isSymbolicLink()) return null;
    const body = readFileSync(path);
    return Buffer.from(body.toString("utf8"), "utf8").equals(body) ? body : null;
  } catch {
    return null; // not every version ships every file
  }
}

function pinned(version: string, parts: number | undefined): string {
  return parts ? version.split(".").slice(0, parts).join(".") : version;
}

function record(rows: PlatformHash[], platform: Platform, root: string, version: string, from: string): void {
  for (const path of platform.files) {
    const body = servedBytes(join(root, path));
    if (!body) {
      console.warn(`  ${from}: ${path} is not shipped as a file of its own; left out`);
      continue;
    }
    rows.push({ technology: platform.technology, version, path, sha256: sha256Hex(body), from });
  }
}

function main(): void {
  const work = mkdtempSync(join(tmpdir(), "platform-hashes-"));
  const rows: PlatformHash[] = [];
  try {
    for (const platform of DEBIAN) {
      for (const debVersion of madison(platform.deb)) {
        const unpacked = fetchDeb(platform.deb, debVersion, work);
        const root = join(unpacked, platform.root);
        const stated = platform.versionFile
          ? readFileSync(join(root, platform.versionFile), "utf8").trim()
          : upstreamVersion(debVersion);
        const version = pinned(stated, platform.pins);
        record(rows, platform, root, version, `debian:${platform.deb}=${debVersion}`);
        rmSync(unpacked, { recursive: true, force: true });
        console.log(`${platform.deb} ${debVersion} → ${platform.technology} ${version}`);
      }
    }
    for (const platform of NPM) {
      for (const version of platform.versions) {
        const packageDir = unpackNpm(`${platform.npm}@${version}`, work);
        record(
          rows,
          platform,
          join(packageDir, platform.root),
          pinned(version, platform.pins),
          `npm:${platform.npm}@${version}`,
        );
        rmSync(dirname(packageDir), { recursive: true, force: true });
        console.log(`${platform.npm}@${version}`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  // The same bytes from two builds of one release are one row; the lists' order stays (fetch first, first).
  const unique = [
    ...new Map(rows.map((row) => [`${row.sha256} ${row.technology} ${row.version}`, row])).values(),
  ];
  writeFileSync(PLATFORM_HASHES_FILE, JSON.stringify(unique, null, 2) + "\n");
  console.log(`${unique.length} hashes written to ${PLATFORM_HASHES_FILE}`);
}

main();
