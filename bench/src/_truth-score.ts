/**
 * The truth corpus's hand-checked truth files (bench/truth/corpus/<app>.json) and how a detection is
 * scored against one: recall of what the site shows, precision, version accuracy where the site shows
 * the version, and recall including the layers that can only be inferred.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type ScanOptions, scanSite } from "@techscaniq/scanner";
import type { ScannerEnv } from "@techscaniq/scanner/env";
import { z } from "zod";

export const TRUTH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../truth/corpus");

const truthTechnology = z.object({
  /** The technology's name in the fingerprint rules (webappanalyzer's spelling). */
  name: z.string().min(1),
  /** The installed version, checked by hand (`dpkg -s`, package.json, the release file). */
  version: z.string().min(1).nullable(),
  /** The version as the site shows it, when it shows one: what a detection must report. */
  shownVersion: z.string().min(1).optional(),
  /** Not visible on the site (language, database, OS behind a platform): found only by inference. */
  inferred: z.boolean().default(false),
  /** Where a person sees it, or what it is inferred from. */
  basis: z.string().min(1),
});

export const truthFileSchema = z.object({
  app: z.string().regex(/^[a-z0-9-]+$/),
  kind: z.string().min(1),
  /** Where it comes from: Debian packages or npm packages with their versions. */
  source: z.string().min(1),
  technologies: z.array(truthTechnology).min(1),
});

export type TruthFile = z.infer<typeof truthFileSchema>;

export function loadTruthFiles(dir = TRUTH_DIR): TruthFile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => {
      const parsed = truthFileSchema.safeParse(JSON.parse(readFileSync(path.join(dir, file), "utf8")));
      if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues[0]!.message}`);
      if (`${parsed.data.app}.json` !== file) throw new Error(`${file}: app must be "${file.slice(0, -5)}"`);
      return parsed.data;
    });
}

export interface Detected {
  name: string;
  version: string | null;
}

/** Counts of one site (or a sum of sites); the ratios are computed from them. */
export interface TruthCounts {
  /** Visible truth items, and those detected. */
  visible: number;
  visibleFound: number;
  /** All truth items (visible and inferred), and those detected. */
  all: number;
  allFound: number;
  /** Detections, and those that are in the truth. */
  detections: number;
  correctDetections: number;
  /** Detected truth items whose site shows the version, and those reported with that version. */
  versionsShown: number;
  versionsRight: number;
}

export interface TruthScore extends TruthCounts {
  missed: string[];
  extra: string[];
  wrongVersions: { name: string; expected: string; got: string | null }[];
}

export function scoreDetection(truth: TruthFile, detected: Detected[]): TruthScore {
  const found = new Map(detected.map((tech) => [tech.name, tech]));
  const truthNames = new Set(truth.technologies.map((tech) => tech.name));
  const visible = truth.technologies.filter((tech) => !tech.inferred);
  const score: TruthScore = {
    visible: visible.length,
    visibleFound: visible.filter((tech) => found.has(tech.name)).length,
    all: truth.technologies.length,
    allFound: truth.technologies.filter((tech) => found.has(tech.name)).length,
    detections: detected.length,
    correctDetections: detected.filter((tech) => truthNames.has(tech.name)).length,
    versionsShown: 0,
    versionsRight: 0,
    missed: truth.technologies.filter((tech) => !found.has(tech.name)).map((tech) => tech.name),
    extra: detected.filter((tech) => !truthNames.has(tech.name)).map((tech) => tech.name),
    wrongVersions: [],
  };
  for (const tech of truth.technologies) {
    const hit = found.get(tech.name);
    if (!hit || tech.shownVersion === undefined) continue;
    score.versionsShown++;
    if (hit.version === tech.shownVersion) score.versionsRight++;
    else score.wrongVersions.push({ name: tech.name, expected: tech.shownVersion, got: hit.version });
  }
  return score;
}

export function sumCounts(scores: TruthCounts[]): TruthCounts {
  const total: TruthCounts = {
    visible: 0,
    visibleFound: 0,
    all: 0,
    allFound: 0,
    detections: 0,
    correctDetections: 0,
    versionsShown: 0,
    versionsRight: 0,
  };
  for (const score of scores)
    for (const key of Object.keys(total) as (keyof TruthCounts)[]) total[key] += score[key];
  return total;
}

/** A ratio, 1 when there is nothing to count (no detections cannot be imprecise). */
const ratio = (part: number, whole: number) => (whole === 0 ? 1 : part / whole);

export interface TruthFigures {
  recall: number;
  precision: number;
  versionAccuracy: number;
  recallWithInferred: number;
}

export function figures(counts: TruthCounts): TruthFigures {
  return {
    recall: ratio(counts.visibleFound, counts.visible),
    precision: ratio(counts.correctDetections, counts.detections),
    versionAccuracy: ratio(counts.versionsRight, counts.versionsShown),
    recallWithInferred: ratio(counts.allFound, counts.all),
  };
}

/**
 * `./techscaniq detect --render --allow-private` of one site (its options, through `scanSite`), without
 * the TLS and DNS collectors, which have nothing to find on a loopback address.
 */
export const TRUTH_SCAN_OPTIONS = {
  render: true,
  renderPages: 0,
  allowPrivate: true,
  maxPages: 10,
  screenshots: false,
  collectTls: false,
  collectDns: false,
} satisfies ScanOptions;

export async function detectForTruth(
  url: string,
  scanner?: Pick<ScannerEnv, "scanOptions" | "browser">,
): Promise<Detected[]> {
  const result = await scanSite(url, {
    ...(scanner ? { ...scanner.scanOptions, browser: scanner.browser } : {}),
    ...TRUTH_SCAN_OPTIONS,
  });
  return result.technologies.map(({ name, version }) => ({ name, version }));
}
