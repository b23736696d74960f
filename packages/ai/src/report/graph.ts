import { Annotation, END, Send, START, StateGraph, type BaseCheckpointSaver } from "@langchain/langgraph";
import { z } from "zod";
import {
  citationChecker,
  verifyClaims,
  type Claim,
  type DroppedClaim,
  type PublishedClaim,
} from "../citations";
import type { DraftClaim } from "../offline/claims";
import { writeSectionOffline } from "../offline/analyst";
import { scoreReport, type Score } from "../offline/scores";
import { analyseThesis } from "../offline/thesis";
import { fenceData, SYSTEM_PROMPT } from "../prompts";
import {
  AiTaskError,
  createModelRouter,
  type ModelRouter,
  type ModelRouterOptions,
  type StructuredTask,
  type UsageRecord,
} from "../router";
import { buildScanContext, ReportInput, type EvidenceItem, type ScanContext } from "../scan-context";
import {
  isFindingsSection,
  planSections,
  SECTION_TITLES,
  sectionFindings,
  sectionModule,
  sectionTables,
  type SectionId,
  type SummarySection,
} from "../sections";
import { ReportContent } from "@techscaniq/contracts/report";

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
type Update = Partial<typeof ReportState.Update>;

/**
 * The findings' evidence ids taken in turns (each finding's first, then each one's second, …), so the
 * prompt budget leaves every finding evidence to cite instead of giving the first findings all of it.
 */
function evidenceInTurns(findings: { evidence: string[] }[]): string[] {
  const ids = new Set<string>();
  const longest = Math.max(0, ...findings.map((finding) => finding.evidence.length));
  for (let turn = 0; turn < longest; turn++)
    for (const finding of findings) {
      const id = finding.evidence[turn];
      if (id !== undefined) ids.add(id);
    }
  return [...ids];
}

/** The section's findings and evidence, fenced as untrusted data and trimmed to the prompt budget. */
export function sectionPrompt(section: SectionId, context: ScanContext): string {
  const findings = sectionFindings(section, context);
  const ids = evidenceInTurns(findings);
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
    `What to cover: ${sectionModule(section).brief}`,
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

/** A summary section's prompt: the report's verified claims (model or rule output, still fenced as data). */
function summaryPrompt(section: SummarySection, published: PublishedClaim[]): string {
  return [
    "Task: summarise",
    `Section: ${section.id}`,
    `What to cover: ${section.brief}`,
    "Verified claims of the report (data; reuse their evidence ids):",
    fenceData(
      "claims",
      published.map((c) => ({ section: c.section, text: c.text, evidence: c.evidence })),
    ),
    "Write 3 to 6 sentences, each citing the evidence ids of the claims it summarises.",
  ].join("\n\n");
}

export interface ReportGraphOptions extends ModelRouterOptions {
  checkpointer: BaseCheckpointSaver;
  /** Clock for `generatedAt` (tests pin it). */
  now?: () => Date;
}

/** What every node of one graph shares. */
interface ReportRun {
  router: ModelRouter;
  contextOf(input: State["input"]): ScanContext;
  /** "rules" for the offline analyst (typed findings only); any other provider is a model that read page text. */
  authorOf(provider: string | null): Claim["author"];
  /** Usage records not yet in the state that `keep` selects, removed from the pending ones. */
  drainUsage(keep: (record: UsageRecord) => boolean): UsageRecord[];
}

function startRun(options: ReportGraphOptions): ReportRun {
  const pendingUsage: UsageRecord[] = [];
  // Records reach the caller at once and, via the state, the report's usage totals (kept over a resume).
  const router = createModelRouter({
    ...options,
    recordUsage: async (record) => {
      pendingUsage.push(record);
      await options.recordUsage(record);
    },
  });
  const contexts = new Map<string, ScanContext>();
  return {
    router,
    contextOf(input) {
      const key = `${input.tenantId}/${input.scanId}`;
      if (!contexts.has(key)) contexts.set(key, buildScanContext(input));
      return contexts.get(key)!;
    },
    authorOf: (provider) =>
      provider !== null && options.config.providers[provider]?.kind === "offline" ? "rules" : "model",
    drainUsage(keep) {
      const taken = pendingUsage.filter(keep);
      for (const record of taken) pendingUsage.splice(pendingUsage.indexOf(record), 1);
      return taken;
    },
  };
}

/** Runs a section's model task; when every provider fails, the section fails, not the report. */
async function draftSection(
  run: ReportRun,
  task: StructuredTask<z.output<typeof SectionAnswer>>,
  signal: AbortSignal | undefined,
): Promise<SectionDraft> {
  try {
    const result = await run.router.run(task, signal);
    return { claims: result.value.claims, provider: result.provider, model: result.model, error: null };
  } catch (error) {
    if (!(error instanceof AiTaskError)) throw error;
    return { claims: [], provider: null, model: null, error: error.message };
  }
}

/** A draft's sentences as claims to verify, numbered within their section. */
function claimsOf(run: ReportRun, section: string, draft: SectionDraft): Claim[] {
  return draft.claims.map((c, index) => ({
    id: `${section}-${index + 1}`,
    section,
    text: c.text,
    evidence: c.evidence,
    author: run.authorOf(draft.provider),
  }));
}

function planNode(run: ReportRun, state: State): Update {
  return { sections: planSections(run.contextOf(state.input)) };
}

/** Prompts of the sections written from findings; summaries wait for the verified claims. */
function gatherNode(run: ReportRun, state: State): Update {
  const context = run.contextOf(state.input);
  return {
    prompts: Object.fromEntries(
      state.sections
        .filter((s) => isFindingsSection(sectionModule(s)))
        .map((s) => [s, sectionPrompt(s, context)]),
    ),
  };
}

interface WriteTask {
  input: State["input"];
  section: SectionId;
  prompt: string;
}

/** One `write` per gathered section, run in parallel. */
function fanOutWrites(state: State): Send[] {
  return Object.entries(state.prompts).map(
    ([section, prompt]) => new Send("write", { input: state.input, section, prompt }),
  );
}

async function writeNode(run: ReportRun, task: WriteTask, signal?: AbortSignal): Promise<Update> {
  const context = run.contextOf(task.input);
  const draft = await draftSection(
    run,
    {
      task: "writeSection",
      section: task.section,
      schemaName: "report_section",
      schema: SectionAnswer,
      system: SYSTEM_PROMPT,
      user: task.prompt,
      offline: () => ({ claims: writeSectionOffline(task.section, context) }),
    },
    signal,
  );
  return {
    drafts: { [task.section]: draft },
    usage: run.drainUsage((r) => r.task === "writeSection" && r.section === task.section),
  };
}

async function verifyNode(run: ReportRun, state: State, signal?: AbortSignal): Promise<Update> {
  const context = run.contextOf(state.input);
  const claims = Object.entries(state.drafts).flatMap(([section, draft]) => claimsOf(run, section, draft));
  const { published, dropped } = await verifyClaims(claims, citationChecker(context), {
    router: run.router,
    signal,
    candidateEvidence: (claim) =>
      sectionFindings(claim.section as SectionId, context).flatMap((f) => f.evidence),
  });
  return { published, dropped, usage: run.drainUsage(() => true) };
}

/** Writes and verifies the summary sections from the other sections' verified claims. */
async function summariseNode(run: ReportRun, state: State, signal?: AbortSignal): Promise<Update> {
  const context = run.contextOf(state.input);
  const bySection: Partial<Record<SectionId, DraftClaim[]>> = {};
  for (const claim of state.published)
    (bySection[claim.section as SectionId] ??= []).push({ text: claim.text, evidence: claim.evidence });
  const drafts: Record<string, SectionDraft> = {};
  const published: PublishedClaim[] = [];
  const dropped: DroppedClaim[] = [];
  for (const section of state.sections.map((id) => sectionModule(id))) {
    if (isFindingsSection(section)) continue;
    const draft = await draftSection(
      run,
      {
        task: "summarise",
        section: section.id,
        schemaName: section.id,
        schema: SectionAnswer,
        system: SYSTEM_PROMPT,
        user: summaryPrompt(section, state.published),
        offline: () => ({ claims: section.summariseOffline(bySection) }),
      },
      signal,
    );
    const verified = await verifyClaims(claimsOf(run, section.id, draft), citationChecker(context), {
      router: run.router,
      signal,
    });
    drafts[section.id] = draft;
    published.push(...verified.published);
    dropped.push(...verified.dropped);
  }
  return { drafts, published, dropped, usage: run.drainUsage(() => true) };
}

/** The rule-based scores; a model may replace the thesis score when its every rationale sentence verifies. */
async function scoreNode(run: ReportRun, state: State, signal?: AbortSignal): Promise<Update> {
  const context = run.contextOf(state.input);
  const scores = scoreReport(context);
  const thesis = scores.find((s) => s.name === "thesis_alignment");
  const dropped =
    thesis && run.router.hasModel("scoreThesis") ? await judgeThesis(run, context, thesis, signal) : [];
  return { scores, dropped, usage: run.drainUsage(() => true) };
}

/** Asks a model to score the thesis, kept when its rationale verifies; returns the dropped sentences. */
async function judgeThesis(
  run: ReportRun,
  context: ScanContext,
  thesis: Score,
  signal: AbortSignal | undefined,
): Promise<DroppedClaim[]> {
  const requirements = analyseThesis(context);
  try {
    const { value } = await run.router.run(
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
      signal,
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
      router: run.router,
      signal,
      rewrite: false,
    });
    if (claims.length > 0 && verified.dropped.length === 0) {
      thesis.score = value.score;
      thesis.rule = `model judgement: ${value.rationale}`;
    }
    return verified.dropped;
  } catch (error) {
    if (!(error instanceof AiTaskError)) throw error;
    return [];
  }
}

/**
 * The report workflow: plan → gather → write sections (in parallel, via Send)
 * → verify citations → summary sections → score → assemble. Checkpointed
 * after every step, so a resumed run skips finished sections.
 */
export function buildReportGraph(options: ReportGraphOptions) {
  const run = startRun(options);
  const graph = new StateGraph(ReportState)
    .addNode("plan", (state: State) => planNode(run, state))
    .addNode("gather", (state: State) => gatherNode(run, state))
    .addNode("write", (task: WriteTask, config) => writeNode(run, task, config?.signal))
    .addNode("verify", (state: State, config) => verifyNode(run, state, config?.signal))
    .addNode("summarise", (state: State, config) => summariseNode(run, state, config?.signal))
    .addNode("score", (state: State, config) => scoreNode(run, state, config?.signal))
    .addNode("assemble", (state: State) => ({
      report: assembleReport(state, run.contextOf(state.input), options.now?.() ?? new Date()),
    }))
    .addEdge(START, "plan")
    .addEdge("plan", "gather")
    .addConditionalEdges("gather", fanOutWrites)
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
      return item ? [evidenceEntry(item)] : [];
    }),
    scores: state.scores,
    usage: usageTotals(state.usage),
  });
}

function evidenceEntry(item: EvidenceItem): ReportContent["evidence"][number] {
  const { id, kind, collector, url, locator, snippet, contentHash } = item;
  return { id, kind, collector, url, locator, snippet, contentHash };
}

/** The report's usage: every call, and the models that answered, with the tasks they answered. */
function usageTotals(usage: UsageRecord[]): ReportContent["usage"] {
  const models = new Map<string, { provider: string; model: string; tasks: Set<string> }>();
  for (const record of usage.filter((r) => r.outcome === "ok")) {
    const key = `${record.provider}/${record.model}`;
    if (!models.has(key))
      models.set(key, { provider: record.provider, model: record.model, tasks: new Set() });
    models.get(key)!.tasks.add(record.task);
  }
  return {
    calls: usage.filter((r) => r.provider !== "offline").length,
    inputTokens: usage.reduce((sum, r) => sum + r.inputTokens, 0),
    outputTokens: usage.reduce((sum, r) => sum + r.outputTokens, 0),
    costUsd: usage.reduce((sum, r) => sum + r.costUsd, 0),
    models: [...models.values()].map((m) => ({
      provider: m.provider,
      model: m.model,
      tasks: [...m.tasks],
    })),
  };
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
