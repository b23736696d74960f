import type { FingerprintDatabase } from "../fingerprints/compile";

/** "Moment.js" → "moment", "jQuery-UI" → "jquery ui": how names are compared across files, banners and rules. */
export function normaliseName(name: string): string {
  return name
    .toLowerCase()
    .replace(/\.js$/, "")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

const byDatabase = new WeakMap<FingerprintDatabase, Map<string, string>>();

function namesOf(db: FingerprintDatabase): Map<string, string> {
  let names = byDatabase.get(db);
  if (!names) {
    names = new Map();
    for (const name of db.technologies.keys()) {
      const key = normaliseName(name);
      if (key && !names.has(key)) names.set(key, name);
    }
    byDatabase.set(db, names);
  }
  return names;
}

/** Words that name an edition of a product, not another product ("Font Awesome Free"). */
const EDITION = / (?:free|community|community edition|open source)$/;

/**
 * The technology whose name is exactly `written` (compared as
 * `normaliseName` does), edition words aside. Never a leading part of it:
 * "jQuery Validation Plugin 1.19.5" is not jQuery 1.19.5.
 */
export function technologyCalled(db: FingerprintDatabase, written: string): string | undefined {
  const name = normaliseName(written);
  const names = namesOf(db);
  return names.get(name) ?? names.get(name.replace(EDITION, ""));
}

/**
 * The technology an asset file is a copy of, by its name: "jquery.min.js" →
 * jQuery, "bootstrap.bundle.min.css" → Bootstrap, "jquery-ui.min.js" → jQuery UI.
 */
export function technologyOfFile(db: FingerprintDatabase, url: string): string | undefined {
  let file: string;
  try {
    file = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
  } catch {
    return undefined;
  }
  const stem = file.split(".")[0] ?? "";
  // A name that carries its version ("jquery-3.7.1") is still that library.
  const bare = stem.replace(/[-_.]?v?\d+(?:[._]\d+)*$/i, "");
  return bare ? technologyCalled(db, bare) : undefined;
}
