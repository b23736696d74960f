import type { SectionId } from "@techscaniq/contracts/report";
import { claim, type DraftClaim } from "../offline/claims";
import {
  performanceFindings,
  securityFindings,
  technologyFindings,
  thesisFindings,
  vulnerabilityFindings,
} from "./findings";
import type { SummarySection } from "./section";

export const executiveSummary: SummarySection<"executive_summary"> = {
  id: "executive_summary",
  writtenFrom: "claims",
  brief: "A short summary for an investment committee of the most decision-relevant verified findings.",
  findings: (context) => [
    ...vulnerabilityFindings(context),
    ...securityFindings(context).slice(0, 1),
    ...technologyFindings(context),
    ...performanceFindings(context).slice(0, 1),
    ...thesisFindings(context),
  ],
  summariseOffline(sections) {
    const pick = (id: SectionId, count: number): DraftClaim[] =>
      (sections[id] ?? []).filter((c) => c.evidence.length > 0).slice(0, count);
    const summary = [
      ...pick("architecture", 2),
      ...pick("security_posture", 1),
      ...pick("risks", 2),
      ...pick("performance_third_parties", 1),
      ...pick("thesis_alignment", 1),
    ];
    return summary.length ? summary : [claim("The scan produced too little evidence for a summary.", [])];
  },
};
