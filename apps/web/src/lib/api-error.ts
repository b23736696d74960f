import { z } from "zod";

/** The JSON body the auth route handlers answer with when something is wrong. */
export const apiErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fieldErrors: z.record(z.string(), z.array(z.string())).optional(),
  }),
});

export type ApiErrorBody = z.infer<typeof apiErrorBodySchema>;

export interface FormErrors {
  message: string | null;
  fields: Record<string, string[]>;
}

export const noFormErrors: FormErrors = { message: null, fields: {} };

/**
 * Field errors go next to their inputs; the summary only repeats what is not
 * shown there (wrong password, rate limit, server trouble).
 */
export function toFormErrors(body: unknown, knownFields: readonly string[]): FormErrors {
  const parsed = apiErrorBodySchema.safeParse(body);
  if (!parsed.success) return { message: "Something went wrong. Please try again.", fields: {} };
  const fields = parsed.data.error.fieldErrors ?? {};
  const shownNextToInputs = Object.keys(fields).some((field) => knownFields.includes(field));
  return { message: shownNextToInputs ? null : parsed.data.error.message, fields };
}
