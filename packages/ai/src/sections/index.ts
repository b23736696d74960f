import { SECTION_IDS, type ReportTable, type SectionId } from "@techscaniq/contracts/report";
import type { ScanContext } from "../scan-context";
import { architecture } from "./architecture";
import { executiveSummary } from "./executive-summary";
import { performanceThirdParties } from "./performance-third-parties";
import { recommendations } from "./recommendations";
import { risks } from "./risks";
import type { FindingLine, FindingsSection, ReportSection, SectionRegistry } from "./section";
import { scalability } from "./scalability";
import { securityPosture } from "./security-posture";
import { technologyStack } from "./technology-stack";
import { thesisAlignment } from "./thesis-alignment";
import { vulnerableComponents } from "./vulnerable-components";

export { REPORT_SECTIONS, SECTION_IDS, SECTION_TITLES, SectionId } from "@techscaniq/contracts/report";
export type { FindingLine, FindingsSection, ReportSection, SectionRegistry, SummarySection } from "./section";

/**
 * The registry: one module per section of the report document (ids, titles and order are in
 * `@techscaniq/contracts/report`). A section without a module, or a module under another id, fails typecheck.
 */
const SECTION_MODULES: SectionRegistry = {
  executive_summary: executiveSummary,
  technology_stack: technologyStack,
  architecture,
  security_posture: securityPosture,
  vulnerable_components: vulnerableComponents,
  performance_third_parties: performanceThirdParties,
  scalability,
  risks,
  thesis_alignment: thesisAlignment,
  recommendations,
};

/** Every section's module, in the report's reading order. */
export const REPORT_SECTION_MODULES: readonly ReportSection[] = SECTION_IDS.map((id) => SECTION_MODULES[id]);

export function sectionModule<Id extends SectionId>(id: Id): ReportSection<Id> {
  return SECTION_MODULES[id];
}

export const isFindingsSection = (section: ReportSection): section is FindingsSection =>
  section.writtenFrom === "findings";

/** Sections for this report, in reading order: those whose module applies (thesis alignment: a thesis). */
export function planSections(context: Pick<ScanContext, "thesis">): SectionId[] {
  return REPORT_SECTION_MODULES.filter((s) => s.appliesTo?.(context) ?? true).map((s) => s.id);
}

/** The findings a section is about, most important first. */
export function sectionFindings(section: SectionId, context: ScanContext): FindingLine[] {
  return SECTION_MODULES[section].findings(context);
}

/** The section's tables, straight from the findings. */
export function sectionTables(section: SectionId, context: ScanContext): ReportTable[] {
  return SECTION_MODULES[section].tables?.(context) ?? [];
}
