import type { ScanContext } from "../scan-context";
import { isFindingsSection, REPORT_SECTION_MODULES, sectionModule, type SectionId } from "../sections";
import type { DraftClaim } from "./claims";

/**
 * The offline analyst: writes every section from the findings by rules (each section module's
 * `writeOffline`), each sentence citing the evidence behind it and stating only facts that evidence (or
 * the finding it supports) shows. It is the report when no model is configured, and the fallback when
 * models fail.
 */

export type { DraftClaim } from "./claims";
export { analyseThesis, type RequirementStatus, type ThesisRequirement } from "./thesis";

/** The offline analyst's claims for one section; a summary is written from the other sections' claims. */
export function writeSectionOffline(section: SectionId, context: ScanContext): DraftClaim[] {
  const module = sectionModule(section);
  if (isFindingsSection(module)) return module.writeOffline(context);
  const written = REPORT_SECTION_MODULES.filter(isFindingsSection);
  return module.summariseOffline(Object.fromEntries(written.map((s) => [s.id, s.writeOffline(context)])));
}
