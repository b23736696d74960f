/**
 * ./techscaniq bench truth [app...] [--record app,app] — detection against hand-checked truth on real
 * applications (Debian and npm packages, installed by bench/truth/install.sh) served on 127.0.0.1:
 * recall, precision and version accuracy per site and overall, and the machine.
 * `--record` also writes the named apps' exchanges to fixtures/recorded/ for the test subset.
 */
import { cpus, loadavg, totalmem } from "node:os";
import path from "node:path";
import { RECORDED_DIR } from "@techscaniq/fixtures";
import { loadScannerEnv } from "@techscaniq/scanner/env";
import { CORPUS_APPS, startCorpusApp } from "./_truth-apps";
import { startRecordingProxy } from "./_truth-record";
import {
  type TruthCounts,
  type TruthScore,
  detectForTruth,
  figures,
  loadTruthFiles,
  scoreDetection,
  sumCounts,
} from "./_truth-score";

const args = process.argv.slice(2);
const recordAt = args.indexOf("--record");
const toRecord = new Set(recordAt === -1 ? [] : (args[recordAt + 1] ?? "").split(",").filter(Boolean));
const chosen = args.filter((arg, i) => !arg.startsWith("--") && (recordAt === -1 || i !== recordAt + 1));
const truths = loadTruthFiles().filter((truth) => chosen.length === 0 || chosen.includes(truth.app));
for (const app of [...chosen, ...toRecord])
  if (!truths.some((truth) => truth.app === app)) throw new Error(`no truth file for "${app}"`);
for (const truth of truths)
  if (!CORPUS_APPS[truth.app]) throw new Error(`no launcher for "${truth.app}" in _truth-apps.ts`);

const scanner = loadScannerEnv();
const pct = (n: number) => n.toFixed(2);
const scored: { app: string; score: TruthScore }[] = [];
const skipped: string[] = [];

for (const truth of truths) {
  let running;
  try {
    running = await startCorpusApp(truth.app);
  } catch (error) {
    skipped.push(`${truth.app}: ${(error as Error).message.split("\n")[0]}`);
    continue;
  }
  try {
    const proxy = toRecord.has(truth.app) ? await startRecordingProxy(running.origin) : null;
    const detected = await detectForTruth((proxy?.origin ?? running.origin) + "/", scanner);
    if (proxy) {
      proxy.save(path.join(RECORDED_DIR, truth.app), `${truth.source}; recorded ${new Date().toISOString()}`);
      await proxy.close();
    }
    const score = scoreDetection(truth, detected);
    scored.push({ app: truth.app, score });
    const f = figures(score);
    console.log(
      `${truth.app.padEnd(12)} recall ${pct(f.recall)}  precision ${pct(f.precision)}  ` +
        `versions ${score.versionsRight}/${score.versionsShown}  with inferred ${pct(f.recallWithInferred)}`,
    );
    if (score.missed.length) console.log(`  missed: ${score.missed.join(", ")}`);
    if (score.extra.length) console.log(`  not in truth: ${score.extra.join(", ")}`);
    for (const wrong of score.wrongVersions)
      console.log(`  version of ${wrong.name}: ${wrong.got ?? "none"}, site shows ${wrong.expected}`);
  } finally {
    await running.stop();
  }
}

const total: TruthCounts = sumCounts(scored.map(({ score }) => score));
const f = figures(total);
const cpu = cpus();
console.log("");
console.log(
  `overall (${scored.length} sites): recall ${pct(f.recall)} (${total.visibleFound}/${total.visible}), ` +
    `precision ${pct(f.precision)} (${total.correctDetections}/${total.detections}), ` +
    `version accuracy ${pct(f.versionAccuracy)} (${total.versionsRight}/${total.versionsShown}), ` +
    `recall with inferred ${pct(f.recallWithInferred)} (${total.allFound}/${total.all})`,
);
console.log(
  `machine   ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ` +
    `Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}`,
);
if (skipped.length) {
  console.log(`skipped (${skipped.length}):`);
  for (const line of skipped) console.log(`  ${line}`);
  process.exitCode = 1;
}
