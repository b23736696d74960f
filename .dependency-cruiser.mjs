// The allowed arrows between our packages (README "Architecture"), checked by
// `./techscaniq test` (step "boundaries"): `pnpm exec depcruise apps packages bench fixtures`.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** Test code may import fixtures and other packages' test helpers; it never ships. */
const TEST =
  "(\\.test\\.tsx?$|\\.spec\\.ts$|/e2e/|/testing(/|\\.ts$)|/test-global-setup\\.ts$|/rls-matrix\\.ts$|vitest\\.config\\.ts$)";
const PACKAGE = "^((?:apps|packages)/[^/]+|bench|fixtures)/";

/** Every file a workspace package exports (its `exports` targets); anything else of it is private. */
function exportedFiles() {
  const dirs = ["apps", "packages"]
    .flatMap((root) => readdirSync(root).map((name) => `${root}/${name}`))
    .concat(["bench", "fixtures"]);
  return dirs
    .filter((dir) => existsSync(path.join(dir, "package.json")))
    .flatMap((dir) => {
      const { exports } = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
      const targets = typeof exports === "string" ? [exports] : Object.values(exports ?? {});
      return targets
        .filter((target) => typeof target === "string")
        .map((target) => path.posix.join(dir, target));
    });
}
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const EXPORTED = `^(${exportedFiles().map(escape).join("|")})$`;

/** `from` (product code of one place) may import only its own files and the listed places. */
const only = (name, from, allowed, comment) => ({
  name,
  comment,
  severity: "error",
  from: { path: from, pathNot: TEST },
  to: {
    path: "^(apps|packages|bench|fixtures)/",
    pathNot: [`^${from.replace(/^\^/, "").replace(/\/$/, "")}/`, ...allowed],
  },
});

export default {
  forbidden: [
    only(
      "web-to-api",
      "^apps/web/",
      ["^packages/(api|contracts)/", "^packages/db/"],
      "web talks to the api (and reads shared shapes from contracts); db only to wire the api's database and health checks",
    ),
    only(
      "api-to-db-and-contracts",
      "^packages/api/",
      ["^packages/(db|contracts)/"],
      "api never runs models or crawls: it depends on db and contracts only, and enqueues",
    ),
    only(
      "worker-arrows",
      "^apps/worker/",
      ["^packages/(db|scanner|ai|contracts|integrations)/"],
      "the worker runs scans, reports and integration actions",
    ),
    only(
      "ai-arrows",
      "^packages/ai/",
      ["^packages/(contracts|scanner)/"],
      "ai reads the scanner's ScanResult type and its Chromium setting (PDF)",
    ),
    only(
      "integrations-arrows",
      "^packages/integrations/",
      ["^packages/(contracts|scanner)/"],
      "provider clients send through the scanner's SSRF-safe fetcher and read shared shapes from contracts",
    ),
    only(
      "scanner-is-a-leaf",
      "^packages/scanner/",
      ["^packages/contracts/"],
      "the scanner imports only the shared address policy",
    ),
    only(
      "db-is-a-leaf",
      "^packages/db/",
      ["^packages/contracts/src/env\\.ts$"],
      "db imports no other package of ours but the shared env helper (zod only)",
    ),
    only("contracts-is-a-leaf", "^packages/contracts/", [], "contracts imports no other package of ours"),
    only(
      "cli-arrows",
      "^apps/cli/",
      ["^packages/(api|db|scanner|contracts)/"],
      "cli: the typed api client (see cli-admin-service-role), db and scanner directly",
    ),
    {
      name: "cli-admin-service-role",
      comment:
        "The one documented exception: `./techscaniq admin` creates API keys with the service role, through the api's domain function",
      severity: "error",
      from: { path: "^apps/cli/", pathNot: [TEST, "^apps/cli/src/commands/admin\\.ts$"] },
      to: { path: "^packages/api/", pathNot: "^packages/api/src/client\\.ts$" },
    },
    {
      name: "no-bench-in-product",
      comment: "benchmarks are not part of the product",
      severity: "error",
      from: { pathNot: "^bench/" },
      to: { path: "^bench/" },
    },
    {
      name: "fixtures-only-in-tests",
      comment: "fixture sites and fake servers are for tests and benchmarks",
      severity: "error",
      from: { path: "^(apps|packages)/", pathNot: TEST },
      to: { path: "^fixtures/" },
    },
    {
      name: "no-deep-imports",
      comment: "another package is reached only through its package.json `exports`, never its src/ files",
      severity: "error",
      from: { path: PACKAGE, pathNot: "^bench/" },
      to: { path: "^(apps|packages|bench|fixtures)/", pathNot: ["^$1/", EXPORTED] },
    },
    {
      name: "resolvable",
      comment: "every import resolves (an undeclared workspace package does not, under pnpm)",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "declared",
      comment: "a package is imported only by places that declare it in their package.json",
      severity: "error",
      from: {},
      to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"] },
    },
    {
      name: "contracts-no-io",
      comment:
        "contracts are zod schemas and pure functions: no I/O modules, no libraries but zod, ipaddr.js and croner (pure cron arithmetic)",
      severity: "error",
      from: { path: "^packages/contracts/src/", pathNot: TEST },
      to: { dependencyTypes: ["npm", "core"], pathNot: ["/node_modules/(zod|ipaddr\\.js|croner)/", "^net$"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|\\.next|dist|\\.data)/|^fixtures/sites/" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".d.ts"],
    },
  },
};
