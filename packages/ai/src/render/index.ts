/** Pure report renderers, the scan diff and the stored-scan reader (no network, no browser; PDF is in ./pdf). */
export * from "./document";
export { escapeHtml, renderHtml } from "./html";
export { escapeMarkdown, renderMarkdown } from "./markdown";
export { diffScans, ScanDiff } from "./scan-diff";
export { scanInputFromStored, type StoredFinding, type StoredScan } from "./scan-input";
export * from "./exports";
