import { z } from "zod";
import { VerificationMethod } from "./verification";
import { Score } from "./score";
import { ReportContent, ReportModels, ReportTable } from "./content";
import { SectionId } from "./sections";
import { ScanDiff } from "./scan-diff";

/**
 * The self-contained report every export is rendered from, and the JSON
 * export itself: sections, scores, claims with their verification, and
 * every cited evidence item (so each citation can be re-checked without
 * the database), plus what changed since the parent scan.
 */
export const ReportDocument = z.object({
  format: z.literal("techscaniq-report"),
  schemaVersion: z.literal(1),
  reportId: z.string(),
  version: z.number().int().min(1),
  scanId: z.string(),
  target: z.object({ requestedUrl: z.string(), finalUrl: z.string() }),
  thesis: z.string().nullable(),
  generatedAt: z.string(),
  sections: z.array(
    z.object({
      id: SectionId,
      title: z.string(),
      status: z.enum(["written", "failed"]),
      error: z.string().nullable(),
      claimIds: z.array(z.string()),
      tables: z.array(ReportTable),
    }),
  ),
  scores: z.array(Score),
  claims: z.array(
    z.object({
      id: z.string(),
      section: SectionId,
      text: z.string(),
      evidence: z.array(z.string()),
      verification: z.object({ status: z.literal("verified"), method: VerificationMethod }),
    }),
  ),
  evidence: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      url: z.string(),
      locator: z.string(),
      snippet: z.string(),
      contentHash: z.string(),
    }),
  ),
  dropped: z.object({
    count: z.number().int().nonnegative(),
    reasons: z.array(z.object({ section: z.string(), reasons: z.array(z.string()) })),
  }),
  models: ReportModels,
  usage: z.object({
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    costUsd: z.number().nonnegative(),
  }),
  changes: ScanDiff.nullable(),
});
export type ReportDocument = z.infer<typeof ReportDocument>;

/** The published JSON Schema of the JSON export (written to packages/contracts/schema/report.schema.json). */
export const reportDocumentJsonSchema = z.toJSONSchema(ReportDocument, { target: "draft-2020-12" });

export interface ReportDocumentMeta {
  reportId: string;
  version: number;
  changes: ScanDiff | null;
}

/** The export document of one report version. Only published claims appear; dropped ones are counted with their reasons. */
export function buildReportDocument(content: ReportContent, meta: ReportDocumentMeta): ReportDocument {
  const report = ReportContent.parse(content);
  return ReportDocument.parse({
    format: "techscaniq-report",
    schemaVersion: 1,
    reportId: meta.reportId,
    version: meta.version,
    scanId: report.scanId,
    target: report.target,
    thesis: report.thesis,
    generatedAt: report.generatedAt,
    sections: report.sections.map(({ id, title, status, error, claimIds, tables }) => ({
      id,
      title,
      status,
      error,
      claimIds,
      tables,
    })),
    scores: report.scores,
    claims: report.claims.map((c) => ({
      id: c.id,
      section: c.section,
      text: c.text,
      evidence: c.evidence,
      verification: { status: c.verification.status, method: c.verification.method },
    })),
    evidence: report.evidence.map(({ id, kind, url, locator, snippet, contentHash }) => ({
      id,
      kind,
      url,
      locator,
      snippet,
      contentHash,
    })),
    dropped: {
      count: report.dropped.count,
      reasons: report.dropped.claims.map((d) => ({ section: d.section, reasons: d.reasons })),
    },
    models: report.usage.models,
    usage: {
      inputTokens: report.usage.inputTokens,
      outputTokens: report.usage.outputTokens,
      costUsd: report.usage.costUsd,
    },
    changes: meta.changes,
  });
}

export function renderJson(document: ReportDocument): string {
  return JSON.stringify(ReportDocument.parse(document), null, 2) + "\n";
}

/** Citation numbers in order of first appearance in the appendix: [1], [2], … */
export function evidenceNumbers(document: ReportDocument): Map<string, number> {
  return new Map(document.evidence.map((item, index) => [item.id, index + 1]));
}

export const SCORE_TITLES: Record<Score["name"], string> = {
  technology: "Technology",
  security: "Security",
  scalability: "Scalability",
  thesis_alignment: "Thesis alignment",
};

/** The "what changed" lines of a diff, as plain sentences (escaped by each renderer). */
/** "3 claims were verified and published; 1 was not …": the sentence both renderings open with. */
export function publicationSummary(document: Pick<ReportDocument, "claims" | "dropped">): string {
  const published = document.claims.length;
  const dropped = document.dropped.count;
  const claims = `${published} ${published === 1 ? "claim was" : "claims were"} verified and published`;
  const withheld =
    dropped === 1
      ? "1 was not published because its citations did not check out"
      : `${dropped} were not published because their citations did not check out`;
  return `${claims}; ${withheld}.`;
}

export function describeChanges(diff: ScanDiff): string[] {
  if (diff.unchanged)
    return [
      "Nothing changed in technologies, header grade, vulnerable libraries or third parties since the previous scan.",
    ];
  const version = (v: string | null) => v ?? "no version shown";
  const lines: string[] = [];
  for (const t of diff.technologies.added)
    lines.push(`Technology added: ${t.name}${t.version ? ` ${t.version}` : ""}.`);
  for (const t of diff.technologies.removed)
    lines.push(`Technology removed: ${t.name}${t.version ? ` ${t.version}` : ""}.`);
  for (const t of diff.technologies.versionChanged)
    lines.push(`Version changed: ${t.name} ${version(t.from)} → ${version(t.to)}.`);
  if (diff.headerGrade.changed)
    lines.push(
      `Security header grade changed: ${diff.headerGrade.before ?? "none"} → ${diff.headerGrade.after ?? "none"}.`,
    );
  for (const v of diff.vulnerabilities.new)
    lines.push(
      `New vulnerable library: ${v.library} ${v.version} (${v.severity}${v.identifiers.length ? `, ${v.identifiers.join(", ")}` : ""}).`,
    );
  for (const v of diff.vulnerabilities.fixed)
    lines.push(`Fixed: ${v.library} ${v.version} is no longer observed.`);
  for (const p of diff.thirdParties.added) lines.push(`Third party added: ${p.owner} (${p.host}).`);
  for (const p of diff.thirdParties.removed) lines.push(`Third party removed: ${p.owner} (${p.host}).`);
  return lines;
}
