import { z } from "zod";

/** The usage area's input and output. */

const DAY_MS = 86_400_000;
export const MAX_USAGE_RANGE_DAYS = 366;
const DEFAULT_RANGE_DAYS = 30;

const dateOrDateTime = z
  .string({ error: "must be a date (YYYY-MM-DD) or an ISO date-time" })
  .refine(
    (text) => /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(text) && !Number.isNaN(Date.parse(text)),
    "must be a date (YYYY-MM-DD) or an ISO date-time",
  );

/** Half-open range [from, to); a bare `to` date includes that whole day. Default: the last 30 days. */
export const usageSummaryInput = z
  .strictObject({ from: dateOrDateTime.optional(), to: dateOrDateTime.optional() })
  .optional()
  .transform((input, ctx) => {
    const to = input?.to
      ? new Date(/^\d{4}-\d{2}-\d{2}$/.test(input.to) ? Date.parse(input.to) + DAY_MS : Date.parse(input.to))
      : new Date();
    const from = input?.from ? new Date(input.from) : new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
    if (from >= to) ctx.addIssue({ code: "custom", path: ["from"], message: "must be before to" });
    else if (to.getTime() - from.getTime() > MAX_USAGE_RANGE_DAYS * DAY_MS)
      ctx.addIssue({
        code: "custom",
        path: ["from"],
        message: `must be at most ${MAX_USAGE_RANGE_DAYS} days before to`,
      });
    return { from, to };
  });

const figures = {
  calls: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  costUsd: z.number(),
  failures: z.number().int(),
};
const figuresSchema = z.object(figures);
export const usageSummarySchema = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  totals: figuresSchema,
  /** Per provider, model and task. */
  breakdown: z.array(z.object({ provider: z.string(), model: z.string(), task: z.string(), ...figures })),
  byModel: z.array(z.object({ provider: z.string(), model: z.string(), ...figures })),
  byTask: z.array(z.object({ task: z.string(), ...figures })),
  /** One entry per UTC day of the range, zero-filled. */
  days: z.array(z.object({ day: z.iso.date(), ...figures })),
  scansByStatus: z.array(z.object({ status: z.string(), count: z.number().int() })),
});
