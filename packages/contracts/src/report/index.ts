/** The stored report, the export document and its pure renderers, and the scan diff (no network, no browser). */
export * from "./content";
export * from "./document";
export * from "./exports";
export { escapeHtml, renderHtml } from "./html";
export { escapeMarkdown, renderMarkdown } from "./markdown";
export { diffScans, ScanDiff } from "./scan-diff";
export * from "./score";
export * from "./sections";
export * from "./verification";
