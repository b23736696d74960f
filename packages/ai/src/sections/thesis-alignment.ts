import { analyseThesis } from "../offline/thesis";
import { securityFindings, technologyFindings, thesisFindings } from "./findings";
import type { FindingsSection } from "./section";

export const thesisAlignment: FindingsSection<"thesis_alignment"> = {
  id: "thesis_alignment",
  writtenFrom: "findings",
  brief:
    "How the detected stack supports or contradicts each requirement of the investment thesis; be explicit about what a website scan cannot judge.",
  appliesTo: (context) => context.thesis !== null,
  findings: (context) => [
    ...thesisFindings(context),
    ...technologyFindings(context),
    ...securityFindings(context).slice(0, 1),
  ],
  writeOffline: (context) => analyseThesis(context).map((r) => r.claim),
};
