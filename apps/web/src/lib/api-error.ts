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

/** A tRPC client error (or any thrown value) in the same shape the route handlers answer with. */
export function errorBodyOf(error: unknown): ApiErrorBody {
  const data = (
    error as { data?: { code?: string; fieldErrors?: Record<string, string[]> | null } | null } | null
  )?.data;
  const message =
    error instanceof Error && error.message ? error.message : "Something went wrong. Please try again.";
  return {
    error: {
      code: data?.code ?? "ERROR",
      message,
      ...(data?.fieldErrors ? { fieldErrors: data.fieldErrors } : {}),
    },
  };
}

/** The API's message for an error, for error states. */
export function errorMessageOf(error: unknown): string {
  return errorBodyOf(error).error.message;
}
