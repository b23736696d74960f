/** Stages a scan runs in order; each is its own worker task (`scan.<stage>`) and checkpoint. */
export const SCAN_STAGES = ["crawl", "render", "detect", "security", "vulns", "store"] as const;
export type ScanStageName = (typeof SCAN_STAGES)[number];
