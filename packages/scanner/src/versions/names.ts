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

/**
 * The technology a written name stands for: the longest leading run of its
 * words that is a technology's name ("Font Awesome Free" → Font Awesome).
 */
export function technologyNamed(db: FingerprintDatabase, written: string): string | undefined {
  const names = namesOf(db);
  const words = normaliseName(written).split(" ");
  for (let count = words.length; count > 0; count--) {
    const found = names.get(words.slice(0, count).join(" "));
    if (found) return found;
  }
  return undefined;
}

/** The technology whose name is exactly `written` (compared as `normaliseName` does). */
export function technologyCalled(db: FingerprintDatabase, written: string): string | undefined {
  return namesOf(db).get(normaliseName(written));
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
