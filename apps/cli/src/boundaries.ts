import { bin, run } from "./process";

/** The places whose imports `.dependency-cruiser.mjs` checks. */
export const BOUNDARY_ROOTS = ["apps", "packages", "bench", "fixtures"];

/** dependency-cruiser's command line for `paths` (relative to the repository root) with the repository's rules. */
export const boundaryCommand = (paths: readonly string[] = BOUNDARY_ROOTS) => ({
  command: bin("depcruise"),
  args: ["--config", ".dependency-cruiser.mjs", "--output-type", "err", ...paths],
});

/** Checks the package boundaries; resolves to depcruise's exit code (non-zero on any violation). */
export function checkBoundaries(): Promise<number> {
  const { command, args } = boundaryCommand();
  return run(command, args);
}
