/** A scan stage waiting to try again, as scan.get and the scan.retrying event carry it. */
export interface ScanRetry {
  /** The try that comes next (2 = first retry). */
  attempt: number;
  maxAttempts: number;
  /** Why the last try failed. */
  reason: string;
  /** ISO time of the next try. */
  nextTryAt: string;
}

/**
 * "retrying (2/3): <cause>, next try at 14:05:09" — the one wording the web
 * scan page and `scan --wait` show; each passes its own clock format.
 */
export function describeRetry(retry: ScanRetry, timeOf: (iso: string) => string): string {
  return `retrying (${retry.attempt}/${retry.maxAttempts}): ${retry.reason}, next try at ${timeOf(retry.nextTryAt)}`;
}
