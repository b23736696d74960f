/** A scan row's status (the `scan_status` enum). */
export const SCAN_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type ScanStatus = (typeof SCAN_STATUSES)[number];

/** The statuses a scan never leaves. */
export const FINISHED_SCAN_STATUSES: readonly ScanStatus[] = ["succeeded", "failed", "cancelled"];

export function isFinishedScan(status: string): boolean {
  return (FINISHED_SCAN_STATUSES as readonly string[]).includes(status);
}
