import { z } from "zod";

/**
 * Scores by stated rules: each starts from a base and applies adjustments
 * that name their reason, points and evidence, clamped to 0–100.
 */

export const ScoreAdjustment = z.object({
  reason: z.string(),
  points: z.number(),
  evidence: z.array(z.string()),
});
export const Score = z.object({
  name: z.enum(["technology", "security", "scalability", "thesis_alignment"]),
  /** null when the score cannot be judged from the evidence (e.g. no thesis requirement could be checked). */
  score: z.number().int().min(0).max(100).nullable(),
  base: z.number(),
  rule: z.string(),
  adjustments: z.array(ScoreAdjustment),
});
export type Score = z.infer<typeof Score>;
