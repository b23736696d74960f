/**
 * `./techscaniq bench report`: what one report of a typical fixture scan
 * costs. The wordpress-like fixture is scanned (crawl + one render) on
 * 127.0.0.1; then the report is written (a) by a model behind the fake
 * OpenAI server, whose token counts are the fake's estimate of the real
 * prompts, priced at gpt-4o-mini's rates, and (b) by the offline analyst,
 * timed. Prints tokens in/out, estimated cost, wall times, and the share of
 * claims whose citations checked out.
 */
import { cpus, totalmem } from "node:os";
import { MemorySaver } from "@langchain/langgraph";
import { AiConfig, generateReport, TASKS, type ReportContent, type UsageRecord } from "@techscaniq/ai";
import { startFakeLlm, startFixtureServer, type FakeLlmRequest } from "@techscaniq/fixtures";
import { scanSite, type ScanResult } from "@techscaniq/scanner";

const RUNS = Number(process.argv[2] ?? 5);
const PRICE = { inputPerMTokUsd: 0.15, outputPerMTokUsd: 0.6 };
const GOAL_USD = 0.05;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const verifiedShare = (report: ReportContent) =>
  report.claims.length / Math.max(1, report.claims.length + report.dropped.count);

/** A model that answers each section with claims about that section's findings, citing their evidence (one of them a wrong version). */
function modelFor(scan: ScanResult) {
  return (request: FakeLlmRequest) => {
    const task = /Task: (\w+)/.exec(request.text)?.[1];
    if (task === "verifyClaim") return { json: { entailed: true, reason: "the cited snippet shows it" } };
    if (task === "rewriteClaim") return { json: { text: "", evidence: [] } };
    if (task === "scoreThesis")
      return { json: { score: 60, rationale: "partly supported by the observed stack" } };
    const claims = scan.technologies.slice(0, 4).map((t) => ({
      text: `${t.name}${t.version ? ` ${t.version}` : ""} is part of the stack.`,
      evidence: t.evidence.slice(0, 5),
    }));
    const first = scan.technologies[0];
    if (first)
      claims.push({ text: `${first.name} 99.1.0 powers the site.`, evidence: first.evidence.slice(0, 5) });
    return { json: { claims } };
  };
}

const fixtures = await startFixtureServer();
const fake = await startFakeLlm();
try {
  const scanStarted = performance.now();
  const scan = await scanSite(fixtures.url("wordpress-like"), {
    maxPages: 10,
    maxDepth: 3,
    render: true,
    renderPages: 0,
    allowPrivate: true,
  });
  const scanMs = performance.now() - scanStarted;
  const input = {
    scanId: "bench-scan",
    tenantId: "bench-tenant",
    scan,
    thesis: "A modern, secure WordPress marketing site that can scale with paid traffic.",
  };

  fake.setDefault(modelFor(scan));
  const usage: UsageRecord[] = [];
  const modelConfig = AiConfig.parse({
    providers: { openai: { kind: "openai", apiKey: "sk-bench", baseURL: fake.openaiBaseUrl } },
    routes: Object.fromEntries(TASKS.map((task) => [task, [{ provider: "openai", model: "gpt-4o-mini" }]])),
    prices: { "gpt-4o-mini": PRICE },
  });
  const modelStarted = performance.now();
  const modelReport = await generateReport(input, {
    config: modelConfig,
    recordUsage: (r) => void usage.push(r),
    checkpointer: new MemorySaver(),
    threadId: "bench-model",
  });
  const modelMs = performance.now() - modelStarted;

  const offlineConfig = AiConfig.parse({
    providers: { offline: { kind: "offline" } },
    routes: Object.fromEntries(TASKS.map((task) => [task, [{ provider: "offline", model: "rules" }]])),
  });
  const offlineTimes: number[] = [];
  let offlineReport: ReportContent | undefined;
  for (let run = 0; run < RUNS; run += 1) {
    const started = performance.now();
    offlineReport = await generateReport(input, {
      config: offlineConfig,
      recordUsage: () => undefined,
      checkpointer: new MemorySaver(),
      threadId: `bench-offline-${run}`,
    });
    offlineTimes.push(performance.now() - started);
  }

  const byTask = new Map<string, { calls: number; input: number; output: number }>();
  for (const record of usage) {
    const entry = byTask.get(record.task) ?? { calls: 0, input: 0, output: 0 };
    byTask.set(record.task, {
      calls: entry.calls + 1,
      input: entry.input + record.inputTokens,
      output: entry.output + record.outputTokens,
    });
  }
  const cpu = cpus();
  console.log(
    `machine: ${cpu[0]?.model ?? "unknown cpu"} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`,
  );
  console.log(
    `fixture scan (wordpress-like, crawl + 1 render): ${scanMs.toFixed(0)} ms, ${scan.technologies.length} technologies, ${scan.evidence.length} evidence items`,
  );
  console.log("\nreport with a model (fake OpenAI server, gpt-4o-mini prices $0.15/$0.60 per MTok):");
  for (const [task, entry] of byTask)
    console.log(
      `  ${task.padEnd(13)} ${String(entry.calls).padStart(3)} calls  ${String(entry.input).padStart(7)} in  ${String(entry.output).padStart(6)} out`,
    );
  console.log(
    `  total: ${modelReport.usage.calls} calls, ${modelReport.usage.inputTokens} tokens in, ${modelReport.usage.outputTokens} tokens out`,
  );
  console.log(
    `  estimated cost: $${modelReport.usage.costUsd.toFixed(4)} per report (goal ≤ $${GOAL_USD.toFixed(2)}: ${modelReport.usage.costUsd <= GOAL_USD ? "met" : "NOT met"})`,
  );
  console.log(
    `  claims verified: ${modelReport.claims.length}/${modelReport.claims.length + modelReport.dropped.count} (${(verifiedShare(modelReport) * 100).toFixed(1)}%; the scripted model writes one wrong version per section)`,
  );
  console.log(`  wall time (local fake, no network latency): ${modelMs.toFixed(0)} ms`);
  console.log("\noffline analyst:");
  console.log(
    `  wall time: median ${median(offlineTimes).toFixed(0)} ms over ${RUNS} runs (min ${Math.min(...offlineTimes).toFixed(0)}, max ${Math.max(...offlineTimes).toFixed(0)})`,
  );
  console.log(
    `  claims verified: ${offlineReport!.claims.length}/${offlineReport!.claims.length + offlineReport!.dropped.count} (${(verifiedShare(offlineReport!) * 100).toFixed(1)}%)`,
  );
} finally {
  await fake.close();
  await fixtures.close();
}
