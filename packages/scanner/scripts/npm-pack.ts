import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";

/**
 * Downloads a package from the npm registry (`npm pack NAME@VERSION`) and unpacks it into a new
 * folder under `dir`; returns the package's own folder (the tarball's `package/`).
 */
export function unpackNpm(spec: string, dir: string): string {
  const out = execFileSync("npm", ["pack", spec, "--silent", "--pack-destination", dir], {
    encoding: "utf8",
  });
  const tarball = join(dir, out.trim().split("\n").pop()!);
  const unpacked = mkdtempSync(join(dir, "npm-"));
  execFileSync("tar", ["-xzf", tarball, "-C", unpacked]);
  rmSync(tarball);
  return join(unpacked, "package");
}
