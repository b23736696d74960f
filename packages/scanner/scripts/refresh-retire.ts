/**
 * Download retire.js's current vulnerability repository into the cache file
 * that `loadRetireRepository` prefers over the snapshot shipped on npm.
 *
 *   pnpm --filter @techscaniq/scanner exec tsx scripts/refresh-retire.ts [--url URL] [--out FILE]
 *
 * The download is validated before it replaces the cache, so a bad answer
 * never breaks offline scans.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { parseRetireRepository, RETIRE_CACHE_FILE } from "../src/vulns/repository";

/** Where the retire CLI itself fetches its repository ("central"). */
const RETIRE_REPOSITORY_URL =
  "https://raw.githubusercontent.com/RetireJS/retire.js/master/repository/jsrepository-v5.json";
const TIMEOUT_MS = 60_000;

const argsSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: "--url must be an http(s) URL" }).default(RETIRE_REPOSITORY_URL),
  out: z.string().min(1, "--out must name a file").default(RETIRE_CACHE_FILE),
});

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: "string" }, out: { type: "string" } } });
  const args = argsSchema.safeParse(values);
  if (!args.success) throw new Error(args.error.issues.map((i) => i.message).join("; "));
  const { url, out } = args.data;

  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status} ${response.statusText}`);
  const text = await response.text();
  const repository = parseRetireRepository(text, url);

  mkdirSync(dirname(out), { recursive: true });
  const partial = `${out}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, out);
  console.log(`retire repository: ${Object.keys(repository).length} libraries written to ${out}`);
}

main().catch((error: unknown) => {
  console.error(`refresh-retire: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
