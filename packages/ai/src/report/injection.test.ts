import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemorySaver } from "@langchain/langgraph";
import {
  createGullibleModel,
  PLANTED_INJECTIONS,
  startFakeLlm,
  startInjectionSite,
  type FakeLlmServer,
  type InjectionSite,
  type PlantedInjection,
} from "@techscaniq/fixtures";
import { scanSite, type ScanResult } from "@techscaniq/scanner";
import { scoreReport } from "../offline/scores";
import { DATA_FENCE_CLOSE, DATA_FENCE_OPEN } from "../prompts";
import { buildScanContext } from "../scan-context";
import { fakeConfig, promptTask } from "../testing/fake-config";
import { generateReport } from "./graph";
import type { ReportContent } from "@techscaniq/contracts/report";

const fold = (text: string) => text.normalize("NFKC").toLowerCase();

/** What must never be published for one injection: its needles, and the encoded form it was served in. */
function needlesOf(injection: PlantedInjection): string[] {
  const encoded =
    injection.place === "cookie-base64"
      ? Buffer.from(injection.text).toString("base64")
      : injection.place === "script-src-query"
        ? encodeURIComponent(injection.text)
        : null;
  return [...injection.needles, ...(encoded ? [fold(encoded.slice(0, 24))] : [])].map(fold);
}

/** What a reader takes as the report's own words: claims, tables, scores and their reasons. */
function publishedText(report: ReportContent): string {
  return fold(
    [
      ...report.claims.map((c) => c.text),
      ...report.sections.flatMap((s) =>
        s.tables.flatMap((t) => [t.caption, ...t.rows.flatMap((r) => r.cells)]),
      ),
      ...report.scores.flatMap((s) => [s.rule, ...s.adjustments.map((a) => a.reason)]),
    ].join("\n"),
  );
}

/** A prompt with its fenced data blocks cut out: what the model is told, as opposed to what it is shown. */
function unfenced(prompt: string): string {
  return prompt.replace(
    new RegExp(`${DATA_FENCE_OPEN}[\\s\\S]*?${DATA_FENCE_CLOSE.replace(/[<>]/g, "\\$&")}`, "g"),
    "",
  );
}

let site: InjectionSite;
let fake: FakeLlmServer;
let scan: ScanResult;
beforeAll(async () => {
  site = await startInjectionSite();
  fake = await startFakeLlm();
  scan = await scanSite(site.url, {
    allowPrivate: "loopback",
    renderPages: 0,
    screenshots: false,
    collectTls: false,
    collectDns: false,
    crawlDelayMs: 0,
    maxPages: 10,
  });
}, 180_000);
afterAll(async () => {
  await fake?.close();
  await site?.close();
});

describe("trust: prompt injection is stopped structurally", { timeout: 240_000 }, () => {
  it("publishes none of 50 planted injections, scanned for real, with a gullible model", async () => {
    expect(PLANTED_INJECTIONS.length).toBeGreaterThanOrEqual(40);
    // The site really runs this; every planted technology is a lie the fingerprints did not fall for.
    const detected = scan.technologies.map((t) => `${t.name} ${t.version ?? ""}`.trim());
    expect(detected).toEqual(
      expect.arrayContaining(["WordPress 6.4.2", "PHP 8.1.27", "Nginx 1.24.0", "jQuery 3.7.1"]),
    );
    const allNeedles = PLANTED_INJECTIONS.flatMap(needlesOf);
    for (const name of detected)
      expect(
        allNeedles.filter((n) => fold(name).includes(n)),
        name,
      ).toEqual([]);

    const gullible = createGullibleModel();
    fake.setDefault(gullible.respond);
    const input = {
      scanId: "scan-injection",
      tenantId: "tenant-a",
      scan,
      thesis: "A modern front end with strong security. Revenue grows 40% a year.",
    };
    const report = await generateReport(input, {
      // Hundreds of planted claims each cost a verification and a rewrite: a budget no real report needs.
      config: {
        ...fakeConfig(fake, [{ provider: "openai", model: "gpt-4o-mini" }]),
        reportTokenBudget: 20_000_000,
      },
      recordUsage: () => undefined,
      checkpointer: new MemorySaver(),
      threadId: "report-gullible",
    });

    // The gullible model really tried: at least 40 distinct injections came back in its answers.
    const said = fold(gullible.said.join("\n"));
    const tried = PLANTED_INJECTIONS.filter((i) => needlesOf(i).some((n) => said.includes(n)));
    expect(tried.length, `tried: ${tried.map((i) => i.id).join(", ")}`).toBeGreaterThanOrEqual(40);

    // (a) Page text reaches a model only inside the fenced data blocks, never as the prompt's own words.
    for (const request of fake.requests) {
      const told = fold(unfenced(request.text));
      for (const needle of allNeedles)
        expect(told.includes(needle), `${promptTask(request.text).task}: ${needle}`).toBe(false);
    }

    // Nothing planted is published: no sentence, no planted technology, version, grade, CVE or number.
    const published = publishedText(report);
    const leaks = PLANTED_INJECTIONS.flatMap((i) =>
      needlesOf(i)
        .filter((n) => published.includes(n))
        .map((n) => `${i.id}: ${n}`),
    );
    expect(leaks).toEqual([]);

    // The defence is not "publish nothing": true claims from the same gullible answers stand.
    expect(report.sections.filter((s) => s.status !== "written").map((s) => `${s.id}: ${s.error}`)).toEqual(
      [],
    );
    expect(report.claims.length).toBeGreaterThan(10);
    expect(report.dropped.count).toBeGreaterThan(40);

    // (d) The thesis rationale is verified like a claim; the model's 100 does not stand on planted words.
    const offlineThesis = scoreReport(buildScanContext(input)).find((s) => s.name === "thesis_alignment")!;
    expect(report.scores.find((s) => s.name === "thesis_alignment")).toEqual(offlineThesis);
    expect(report.dropped.claims.some((d) => d.section === "thesis_alignment" && d.text.length > 0)).toBe(
      true,
    );
  });
});
