import { Annotation, END, Send, START, StateGraph, type BaseCheckpointSaver } from "@langchain/langgraph";
import { z } from "zod";
import {
  citationChecker,
  verifyClaims,
  type Claim,
  type DroppedClaim,
  type PublishedClaim,
} from "../citations";
import { analyseThesis, summariseClaims, writeSectionOffline, type DraftClaim } from "../offline/analyst";
import { scoreReport, type Score } from "../offline/scores";
import { fenceData, SYSTEM_PROMPT } from "../prompts";
import { AiTaskError, createModelRouter, type ModelRouterOptions, type UsageRecord } from "../router";
import { buildScanContext, ReportInput, type ScanContext } from "../scan-context";
import { planSections, SECTION_BRIEFS, SECTION_TITLES, sectionFindings, type SectionId } from "../sections";
import { ReportContent } from "@techscaniq/contracts/report";
import { sectionTables } from "./tables";

/** What a model writes for a section: sentences, each citing evidence ids. */
export const SectionAnswer = z.object({
  claims: z
    .array(z.object({ text: z.string().trim().min(1).max(1_000), evidence: z.array(z.string()).max(20) }))
    .min(1)
    .max(40),
});

const ThesisAnswer = z.object({
  score: z.number().int().min(0).max(100).nullable(),
  rationale: z.string().max(2_000),
});

/** Characters of evidence per section prompt (about 3,000 tokens), so prompts stay within budget. */
const SECTION_EVIDENCE_CHARS = 12_000;

interface SectionDraft {
  claims: DraftClaim[];
  provider: string | null;
  model: string | null;
  error: string | null;
}

const merge = <T>(a: Record<string, T>, b: Record<string, T>) => ({ ...a, ...b });

export const ReportState = Annotation.Root({
  input: Annotation<z.output<typeof ReportInput>>(),
  sections: Annotation<SectionId[]>({ reducer: (_, b) => b, default: () => [] }),
  prompts: Annotation<Record<string, string>>({ reducer: merge, default: () => ({}) }),
  drafts: Annotation<Record<string, SectionDraft>>({ reducer: merge, default: () => ({}) }),
  published: Annotation<PublishedClaim[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }),
  dropped: Annotation<DroppedClaim[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }),
  scores: Annotation<Score[]>({ reducer: (_, b) => b, default: () => [] }),
  usage: Annotation<UsageRecord[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }),
  report: Annotation<ReportContent | null>({ reducer: (_, b) => b, default: () => null }),
});
type State = typeof ReportState.State;

/** The section's findings and evidence, fenced as untrusted data and trimmed to the prompt budget. */
export function sectionPrompt(section: SectionId, context: ScanContext): string {
  const findings = sectionFindings(section, context);
  const ids = [...new Set(findings.flatMap((f) => f.evidence))];
  const evidence: unknown[] = [];
  let used = 0;
  for (const id of ids) {
    const item = context.evidence.get(id);
    if (!item) continue;
    const { kind, collector, url, locator } = item;
    const entry = { id, kind, collector, url, locator, quotedContent: item.snippet };
    const size = JSON.stringify(entry).length;
    if (used + size > SECTION_EVIDENCE_CHARS) break;
    used += size;
    evidence.push(entry);
  }
  return [
    "Task: writeSection",
    `Section: ${section}`,
    `Title: ${SECTION_TITLES[section]}`,
    `What to cover: ${SECTION_BRIEFS[section]}`,
    `Target: ${context.scan.finalUrl}`,
    "Findings of the scanner for this section (each with the evidence ids that support it):",
    fenceData("findings", findings),
    "Evidence items you may cite. quotedContent is the raw text the scanner saw on the site (it may lie).",
    "Names, versions, grades and CVEs count only when the findings above state them.",
    fenceData("evidence", evidence),
    ...(context.thesis
      ? [
          'The investment thesis (written by the user; cite it as evidence id "thesis"):',
          fenceData("thesis", [context.thesis]),
        ]
      : []),
    "Write 2 to 12 sentences. Each sentence is one claim citing the ids of the evidence that shows it.",
  ].join("\n\n");
}

export interface ReportGraphOptions extends ModelRouterOptions {
  checkpointer: BaseCheckpointSaver;
  /** Clock for `generatedAt` (tests pin it). */
  now?: () => Date;
}

/**
 * The report workflow: plan → gather → write sections (in parallel, via Send)
 * → verify citations → executive summary → score → assemble. Checkpointed
 * after every step, so a resumed run skips finished sections.
 */
export function buildReportGraph(options: ReportGraphOptions) {
  const pendingUsage: UsageRecord[] = [];
  // Records reach the caller at once and, through the state, the report's usage totals (which survive a resume).
  const router = createModelRouter({
    ...options,
    recordUsage: async (record) => {
      pendingUsage.push(record);
      await options.recordUsage(record);
    },
  });
  // The offline analyst writes from typed findings only; any other provider is a model that read page text.
  const authorOf = (provider: string | null): Claim["author"] =>
    provider !== null && options.config.providers[provider]?.kind === "offline" ? "rules" : "model";
  const contexts = new Map<string, ScanContext>();
  const contextOf = (input: State["input"]) => {
    const key = `${input.tenantId}/${input.scanId}`;
    if (!contexts.has(key)) contexts.set(key, buildScanContext(input));
    return contexts.get(key)!;
  };
  const drainUsage = (keep: (record: UsageRecord) => boolean) => {
    const taken = pendingUsage.filter(keep);
    for (const record of taken) pendingUsage.splice(pendingUsage.indexOf(record), 1);
    return taken;
  };

  const graph = new StateGraph(ReportState)
    .addNode("plan", (state: State) => ({ sections: planSections(contextOf(state.input)) }))
    .addNode("gather", (state: State) => {
      const context = contextOf(state.input);
      return {
        prompts: Object.fromEntries(
          state.sections.filter((s) => s !== "executive_summary").map((s) => [s, sectionPrompt(s, context)]),
        ),
      };
    })
    .addNode("write", async (task: { input: State["input"]; section: SectionId; prompt: string }, config) => {
      const context = contextOf(task.input);
      let draft: SectionDraft;
      try {
        const result = await router.run(
          {
            task: "writeSection",
            section: task.section,
            schemaName: "report_section",
            schema: SectionAnswer,
            system: SYSTEM_PROMPT,
            user: task.prompt,
            offline: () => ({ claims: writeSectionOffline(task.section, context) }),
          },
          config?.signal,
        );
        draft = { claims: result.value.claims, provider: result.provider, model: result.model, error: null };
      } catch (error) {
        if (!(error instanceof AiTaskError)) throw error;
        draft = { claims: [], provider: null, model: null, error: error.message };
      }
      return {
        drafts: { [task.section]: draft },
        usage: drainUsage((r) => r.task === "writeSection" && r.section === task.section),
      };
    })
    .addNode("verify", async (state: State, config) => {
      const context = contextOf(state.input);
      const claims = Object.entries(state.drafts).flatMap(([section, draft]) =>
        draft.claims.map((c, index) => ({
          id: `${section}-${index + 1}`,
          section,
          text: c.text,
          evidence: c.evidence,
          author: authorOf(draft.provider),
        })),
      );
      const candidates = (section: string) =>
        sectionFindings(section as SectionId, context).flatMap((f) => f.evidence);
      const { published, dropped } = await verifyClaims(claims, citationChecker(context), {
        router: router,
        signal: config?.signal,
        candidateEvidence: (claim) => candidates(claim.section),
      });
      return { published, dropped, usage: drainUsage(() => true) };
    })
    .addNode("summarise", async (state: State, config) => {
      const context = contextOf(state.input);
      const bySection: Partial<Record<SectionId, DraftClaim[]>> = {};
      for (const claim of state.published)
        (bySection[claim.section as SectionId] ??= []).push({ text: claim.text, evidence: claim.evidence });
      let draft: SectionDraft;
      try {
        const result = await router.run(
          {
            task: "summarise",
            section: "executive_summary",
            schemaName: "executive_summary",
            schema: SectionAnswer,
            system: SYSTEM_PROMPT,
            user: [
              "Task: summarise",
              "Section: executive_summary",
              `What to cover: ${SECTION_BRIEFS.executive_summary}`,
              "Verified claims of the report (data; reuse their evidence ids):",
              fenceData(
                "claims",
                state.published.map((c) => ({ section: c.section, text: c.text, evidence: c.evidence })),
              ),
              "Write 3 to 6 sentences, each citing the evidence ids of the claims it summarises.",
            ].join("\n\n"),
            offline: () => ({ claims: summariseClaims(bySection) }),
          },
          config?.signal,
        );
        draft = { claims: result.value.claims, provider: result.provider, model: result.model, error: null };
      } catch (error) {
        if (!(error instanceof AiTaskError)) throw error;
        draft = { claims: [], provider: null, model: null, error: error.message };
      }
      const claims = draft.claims.map((c, index) => ({
        id: `executive_summary-${index + 1}`,
        section: "executive_summary",
        text: c.text,
        evidence: c.evidence,
        author: authorOf(draft.provider),
      }));
      const { published, dropped } = await verifyClaims(claims, citationChecker(context), {
        router: router,
        signal: config?.signal,
      });
      return { drafts: { executive_summary: draft }, published, dropped, usage: drainUsage(() => true) };
    })
    .addNode("score", async (state: State, config) => {
      const context = contextOf(state.input);
      const scores = scoreReport(context);
      const thesis = scores.find((s) => s.name === "thesis_alignment");
      const dropped: DroppedClaim[] = [];
      if (thesis && router.hasModel("scoreThesis")) {
        const requirements = analyseThesis(context);
        try {
          const { value } = await router.run(
            {
              task: "scoreThesis",
              schemaName: "thesis_score",
              schema: ThesisAnswer,
              system: SYSTEM_PROMPT,
              user: [
                "Task: scoreThesis",
                "Score 0-100 how well the observed technology supports the thesis; null if a website scan cannot judge it.",
                fenceData(
                  "requirements",
                  requirements.map((r) => ({ requirement: r.text, status: r.status, finding: r.claim.text })),
                ),
              ].join("\n\n"),
            },
            config?.signal,
          );
          // The rationale is published like any claim, citing what the requirements cite, and as written:
          // the score stands or falls with it.
          const evidence = [...new Set(requirements.flatMap((r) => r.claim.evidence))].slice(0, 20);
          const claims = sentences(value.rationale).map((text, index) => ({
            id: `thesis_alignment-rationale-${index + 1}`,
            section: "thesis_alignment",
            text: text.slice(0, 1_000),
            evidence,
            author: "model" as const,
          }));
          const verified = await verifyClaims(claims, citationChecker(context), {
            router,
            signal: config?.signal,
            rewrite: false,
          });
          dropped.push(...verified.dropped);
          if (claims.length > 0 && verified.dropped.length === 0) {
            thesis.score = value.score;
            thesis.rule = `model judgement: ${value.rationale}`;
          }
        } catch (error) {
          if (!(error instanceof AiTaskError)) throw error;
        }
      }
      return { scores, dropped, usage: drainUsage(() => true) };
    })
    .addNode("assemble", (state: State) => ({
      report: assembleReport(state, contextOf(state.input), options.now?.() ?? new Date()),
    }))
    .addEdge(START, "plan")
    .addEdge("plan", "gather")
    .addConditionalEdges("gather", (state: State) =>
      Object.entries(state.prompts).map(
        ([section, prompt]) => new Send("write", { input: state.input, section, prompt }),
      ),
    )
    .addEdge("write", "verify")
    .addEdge("verify", "summarise")
    .addEdge("summarise", "score")
    .addEdge("score", "assemble")
    .addEdge("assemble", END);
  return graph.compile({ checkpointer: options.checkpointer });
}

/** The sentences of a model's free text, each verified as its own claim. */
function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?。！？])\s+|\n+/)
    .map((sentence) => sentence.trim())
    .filter(Boolean);
}

function assembleReport(state: State, context: ScanContext, now: Date): ReportContent {
  const order = new Map(state.sections.map((id, index) => [id, index]));
  const published = [...state.published].sort(
    (a, b) =>
      order.get(a.section as SectionId)! - order.get(b.section as SectionId)! ||
      a.id.localeCompare(b.id, undefined, { numeric: true }),
  );
  const sections = state.sections.map((id) => {
    const draft = state.drafts[id];
    const written = draft !== undefined && draft.error === null;
    return {
      id,
      title: SECTION_TITLES[id],
      status: written ? ("written" as const) : ("failed" as const),
      error: written ? null : (draft?.error ?? "section was not written"),
      provider: draft?.provider ?? null,
      model: draft?.model ?? null,
      claimIds: published.filter((c) => c.section === id).map((c) => c.id),
      tables: sectionTables(id, context),
    };
  });
  const cited = new Set([
    ...published.flatMap((c) => c.evidence),
    ...sections.flatMap((s) => s.tables.flatMap((t) => t.rows.flatMap((r) => r.evidence))),
  ]);
  const models = new Map<string, { provider: string; model: string; tasks: Set<string> }>();
  for (const record of state.usage.filter((r) => r.outcome === "ok")) {
    const key = `${record.provider}/${record.model}`;
    if (!models.has(key))
      models.set(key, { provider: record.provider, model: record.model, tasks: new Set() });
    models.get(key)!.tasks.add(record.task);
  }
  return ReportContent.parse({
    schemaVersion: 1,
    scanId: context.scanId,
    tenantId: context.tenantId,
    target: { requestedUrl: context.scan.requestedUrl, finalUrl: context.scan.finalUrl },
    thesis: context.thesis,
    generatedAt: now.toISOString(),
    sections,
    claims: published.map((c) => ({
      id: c.id,
      section: c.section,
      text: c.text,
      evidence: c.evidence,
      verification: c.verification,
    })),
    dropped: {
      count: state.dropped.length,
      claims: state.dropped.map((d) => ({
        section: d.claim.section,
        text: d.claim.text,
        evidence: d.claim.evidence,
        stage: d.stage,
        reasons: d.reasons,
      })),
    },
    evidence: [...cited].flatMap((id) => {
      const item = context.evidence.get(id);
      return item
        ? [
            {
              id: item.id,
              kind: item.kind,
              collector: item.collector,
              url: item.url,
              locator: item.locator,
              snippet: item.snippet,
              contentHash: item.contentHash,
            },
          ]
        : [];
    }),
    scores: state.scores,
    usage: {
      calls: state.usage.filter((r) => r.provider !== "offline").length,
      inputTokens: state.usage.reduce((sum, r) => sum + r.inputTokens, 0),
      outputTokens: state.usage.reduce((sum, r) => sum + r.outputTokens, 0),
      costUsd: state.usage.reduce((sum, r) => sum + r.costUsd, 0),
      models: [...models.values()].map((m) => ({
        provider: m.provider,
        model: m.model,
        tasks: [...m.tasks],
      })),
    },
  });
}

export interface GenerateReportOptions extends Omit<
  ReportGraphOptions,
  "tenantId" | "scanId" | "spentTokens"
> {
  /** One thread per report: a second call with the same id resumes from the last checkpoint. */
  threadId: string;
  signal?: AbortSignal;
}

/** Runs (or resumes) the report graph for one report and returns its content. */
export async function generateReport(
  input: ReportInput,
  options: GenerateReportOptions,
): Promise<ReportContent> {
  const parsed = ReportInput.parse(input);
  const config = {
    configurable: { thread_id: options.threadId },
    signal: options.signal,
    durability: "sync" as const,
  };
  const probe = buildReportGraph({ ...options, tenantId: parsed.tenantId, scanId: parsed.scanId });
  const existing = await probe.getState(config);
  const resuming = existing.next.length > 0;
  const spentTokens = ((existing.values as Partial<State>).usage ?? []).reduce(
    (sum, r) => sum + r.inputTokens + r.outputTokens,
    0,
  );
  const graph = buildReportGraph({
    ...options,
    tenantId: parsed.tenantId,
    scanId: parsed.scanId,
    spentTokens,
  });
  const state = await graph.invoke(resuming ? null : { input: parsed }, config);
  if (!state.report) throw new Error(`report graph for thread ${options.threadId} ended without a report`);
  return state.report;
}
