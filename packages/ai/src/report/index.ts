export {
  ReportClaim,
  ReportContent,
  ReportTable,
  reportContentJsonSchema,
} from "@techscaniq/contracts/report";
export {
  buildReportGraph,
  generateReport,
  ReportState,
  SectionAnswer,
  sectionPrompt,
  type GenerateReportOptions,
  type ReportGraphOptions,
} from "./graph";
export { postgresCheckpointer } from "./checkpointer";
