import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { ZodError } from "zod";

/** What went wrong, in terms a caller can act on. Each maps to one tRPC code. */
export const domainErrorCodes = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  INTERNAL: "INTERNAL_SERVER_ERROR",
} as const satisfies Record<string, TRPC_ERROR_CODE_KEY>;

export type DomainErrorCode = keyof typeof domainErrorCodes;

export type FieldErrors = Record<string, string[]>;

/** The one error type domain code throws; its message is shown to the caller as is. */
export class DomainError extends Error {
  override readonly name = "DomainError";

  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fieldErrors?: FieldErrors,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** `slug: must be …; name: …` — every issue named by its field path. */
export function describeZodError(error: ZodError): { message: string; fieldErrors: FieldErrors } {
  const fieldErrors: FieldErrors = {};
  const add = (path: PropertyKey[], message: string) => {
    const field = path.length > 0 ? path.map(String).join(".") : "input";
    (fieldErrors[field] ??= []).push(message);
  };
  for (const issue of error.issues) {
    // Strict objects: name each unexpected field rather than the object holding it.
    if (issue.code === "unrecognized_keys")
      for (const key of issue.keys) add([...issue.path, key], "is not a known field");
    else add(issue.path, issue.message);
  }
  const message = Object.entries(fieldErrors)
    .map(([field, messages]) => `${field}: ${messages.join(", ")}`)
    .join("; ");
  return { message, fieldErrors };
}

/** SQLSTATEs that are the caller's fault, raised by constraints and policies. */
const postgresErrorCodes: Record<string, { code: DomainErrorCode; message: string }> = {
  "23505": { code: "CONFLICT", message: "That already exists" },
  "23503": { code: "NOT_FOUND", message: "A referenced record does not exist" },
  "42501": { code: "FORBIDDEN", message: "You are not allowed to do that" },
  "23514": { code: "BAD_REQUEST", message: "A value is out of range" },
};

function sqlState(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * The caller-facing form of any error: domain errors and input validation
 * errors keep their message, known Postgres errors get a generic one,
 * anything else is `undefined` (an internal error, logged and never shown).
 */
export function toDomainError(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return error;
  if (error instanceof TRPCError) {
    // Only the input parser's failures are the caller's; a failing output schema is our bug.
    if (error.cause instanceof ZodError) {
      if (error.code !== "BAD_REQUEST") return undefined;
      const { message, fieldErrors } = describeZodError(error.cause);
      return new DomainError("BAD_REQUEST", message, fieldErrors, { cause: error.cause });
    }
    if (error.cause && error.cause !== error) {
      const fromCause = toDomainError(error.cause);
      if (fromCause) return fromCause;
    }
    // tRPC's own errors (unknown procedure, bad method, parse errors) carry safe messages.
    if (error.code !== "INTERNAL_SERVER_ERROR") {
      const code = (Object.keys(domainErrorCodes) as DomainErrorCode[]).find(
        (key) => domainErrorCodes[key] === error.code,
      );
      return new DomainError(code ?? "BAD_REQUEST", error.message);
    }
    return undefined;
  }
  const state = sqlState(error);
  const known = state ? postgresErrorCodes[state] : undefined;
  if (known) return new DomainError(known.code, known.message, undefined, { cause: error });
  return undefined;
}
