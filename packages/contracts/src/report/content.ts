import { z } from "zod";
import { Verification } from "./verification";
import { Score } from "./score";
import { SectionId } from "./sections";

/** A table built by code straight from the findings (never by a model), each row citing its evidence. */
export const ReportTable = z.object({
  caption: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.object({ cells: z.array(z.string()), evidence: z.array(z.string()) })),
});
export type ReportTable = z.infer<typeof ReportTable>;

/** The models that wrote a report version, each with the tasks it did (stored in `report_versions.models`). */
export const ReportModels = z.array(
  z.object({ provider: z.string(), model: z.string(), tasks: z.array(z.string()) }),
);
export type ReportModels = z.infer<typeof ReportModels>;

export const ReportClaim = z.object({
  id: z.string(),
  section: SectionId,
  text: z.string(),
  evidence: z.array(z.string()),
  verification: Verification,
});

export const ReportContent = z.object({
  schemaVersion: z.literal(1),
  scanId: z.string(),
  tenantId: z.string(),
  target: z.object({ requestedUrl: z.string(), finalUrl: z.string() }),
  thesis: z.string().nullable(),
  generatedAt: z.string(),
  sections: z.array(
    z.object({
      id: SectionId,
      title: z.string(),
      status: z.enum(["written", "failed"]),
      /** Why the section failed (e.g. the model's answer was invalid twice); its claims are then absent. */
      error: z.string().nullable(),
      provider: z.string().nullable(),
      model: z.string().nullable(),
      claimIds: z.array(z.string()),
      tables: z.array(ReportTable),
    }),
  ),
  claims: z.array(ReportClaim),
  dropped: z.object({
    count: z.number().int().nonnegative(),
    claims: z.array(
      z.object({
        section: z.string(),
        text: z.string(),
        evidence: z.array(z.string()),
        stage: z.string(),
        reasons: z.array(z.string()),
      }),
    ),
  }),
  /** Every evidence item a published claim or table cites, so citations can be re-checked without the database. */
  evidence: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      collector: z.string(),
      url: z.string(),
      locator: z.string(),
      snippet: z.string(),
      contentHash: z.string(),
    }),
  ),
  scores: z.array(Score),
  usage: z.object({
    calls: z.number().int().nonnegative(),
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    costUsd: z.number().nonnegative(),
    models: ReportModels,
  }),
});
export type ReportContent = z.infer<typeof ReportContent>;

/** The published JSON Schema of a report (and of the JSON export). */
export const reportContentJsonSchema = z.toJSONSchema(ReportContent);
