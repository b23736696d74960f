/** Stands in for our own origin: only whether `next` stays on it matters, not what it is. */
const OWN_ORIGIN = "http://techscaniq.invalid";

/**
 * Where to go after signing in: a path on our own origin, or "/". `next` is
 * resolved the way the browser will resolve it (which drops tabs and
 * newlines and reads `\` as `/`), so `/%09/evil.example` is seen for the
 * `//evil.example` it becomes; the normalised path is returned.
 */
export function safeNextPath(next: string | string[] | undefined): string {
  const value = Array.isArray(next) ? next[0] : next;
  if (!value?.startsWith("/")) return "/";
  let resolved: URL;
  try {
    resolved = new URL(value, OWN_ORIGIN);
  } catch {
    return "/";
  }
  return resolved.origin === OWN_ORIGIN ? `${resolved.pathname}${resolved.search}${resolved.hash}` : "/";
}
