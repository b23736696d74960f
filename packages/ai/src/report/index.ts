export * from "./schema";
export { buildReportGraph, generateReport, ReportState, SectionAnswer, sectionPrompt, type GenerateReportOptions, type ReportGraphOptions } from "./graph";
export { postgresCheckpointer } from "./checkpointer";
