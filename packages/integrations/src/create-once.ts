import { IntegrationError, type IntegrationProvider } from "./errors";
import type { JsonAnswer } from "./http";

/** How long after an unanswered create we look again: providers' search indexes lag their writes. */
export const SEARCH_AGAIN_AFTER_MS = 30_000;

/**
 * Creates a ticket at most once. A create that gets no answer (timeout, dropped connection) or a
 * 5xx may still have happened, so it is never repeated blindly: the ticket is looked up by its
 * idempotency mark first, and when the lookup does not find it (yet) the call asks to be tried
 * again later with `mayExist`, which looks before creating.
 */
export async function createOnce<T>(steps: {
  provider: IntegrationProvider;
  /** A previous attempt went unanswered. */
  mayExist: boolean;
  /** What the mark is, for the retry message ("an issue labelled x"). */
  marked: string;
  find: () => Promise<T | null>;
  create: () => Promise<JsonAnswer>;
  /** The created ticket from a 201 answer. */
  createdFrom: (answer: JsonAnswer) => T;
  failure: (answer: JsonAnswer) => IntegrationError;
  now: () => Date;
}): Promise<{ ticket: T; created: boolean }> {
  const lookAgain = async (failure: IntegrationError) => {
    const existing = await steps.find();
    if (existing) return { ticket: existing, created: false };
    // The provider's own wait (a 503's Retry-After) when it gave one, else time for its index.
    const retryAt = failure.retryAt ?? new Date(steps.now().getTime() + SEARCH_AGAIN_AFTER_MS);
    throw new IntegrationError(
      steps.provider,
      `${failure.message}; no ${steps.marked} yet, looking again before a new create`,
      { status: failure.status, retryAt, cause: failure },
    );
  };
  if (steps.mayExist) {
    const existing = await steps.find();
    if (existing) return { ticket: existing, created: false };
  }
  let answer: JsonAnswer;
  try {
    answer = await steps.create();
  } catch (error) {
    if (!(error instanceof IntegrationError) || !error.retryable) throw error;
    // A thrown answer below 500 (a rate limit) was refused, so nothing to look for.
    if (error.status !== null && error.status < 500) throw error;
    return lookAgain(error);
  }
  if (answer.status === 201) return { ticket: steps.createdFrom(answer), created: true };
  if (answer.status >= 500) return lookAgain(steps.failure(answer));
  throw steps.failure(answer);
}
