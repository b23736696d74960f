import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { VULNERABILITY_SEVERITIES } from "@techscaniq/contracts/scan";
import { z } from "zod";

/**
 * retire.js's vulnerability repository (jsrepository.json format): per
 * library, the extractors that find it and its version, and the advisories
 * with the version ranges they affect.
 */
const severitySchema = z.enum(VULNERABILITY_SEVERITIES);

const vulnerabilitySchema = z.object({
  atOrAbove: z.string().optional(),
  below: z.string().optional(),
  severity: severitySchema,
  cwe: z.array(z.string()).optional(),
  identifiers: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
  info: z.array(z.string()).default([]),
  excludes: z.array(z.string()).optional(),
});

const componentSchema = z.object({
  vulnerabilities: z.array(vulnerabilitySchema).default([]),
  extractors: z.object({
    uri: z.array(z.string()).optional(),
    filename: z.array(z.string()).optional(),
    filecontent: z.array(z.string()).optional(),
    filecontentreplace: z.array(z.string()).optional(),
    hashes: z.record(z.string(), z.string()).optional(),
  }),
  npmname: z.string().optional(),
});

export const retireRepositorySchema = z.record(z.string(), componentSchema);
export type RetireRepository = z.infer<typeof retireRepositorySchema>;
export type RetireVulnerability = z.infer<typeof vulnerabilitySchema>;

/** Where `scripts/refresh-retire.ts` writes a fresh download; it takes precedence over the shipped snapshot. */
export const RETIRE_CACHE_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  ".data",
  "retire",
  "jsrepository.json",
);

/** The snapshot shipped inside @salesforce/code-analyzer-retirejs-engine. */
export function shippedRetireFile(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve("@salesforce/code-analyzer-retirejs-engine");
  return join(dirname(main), "..", "vulnerabilities", "RetireJsVulns.json");
}

export function parseRetireRepository(text: string, source: string): RetireRepository {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`retire repository ${source} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = retireRepositorySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`retire repository ${source} is invalid at ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

export interface LoadedRepository {
  repository: RetireRepository;
  /** The file it was read from. */
  source: string;
}

const loaded = new Map<string, LoadedRepository>();

/** The refreshed cache when present, else the shipped snapshot; read and validated once per file. */
export function loadRetireRepository(opts: { cacheFile?: string } = {}): LoadedRepository {
  const cacheFile = opts.cacheFile ?? RETIRE_CACHE_FILE;
  const source = existsSync(cacheFile) ? cacheFile : shippedRetireFile();
  let entry = loaded.get(source);
  if (!entry) {
    entry = { repository: parseRetireRepository(readFileSync(source, "utf8"), source), source };
    loaded.set(source, entry);
  }
  return entry;
}
