export * from "./config";
export * from "./tenant";
export * from "./router";
export * from "./citations";
export * from "./prompts";
export * from "./scan-context";
export * from "./sections";
export {
  analyseThesis,
  writeSectionOffline,
  type DraftClaim,
  type ThesisRequirement,
} from "./offline/analyst";
export { scoreReport, Score, ScoreAdjustment } from "./offline/scores";
export * from "./report";
