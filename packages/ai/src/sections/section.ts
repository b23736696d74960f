import type { ReportTable, SectionId } from "@techscaniq/contracts/report";
import type { DraftClaim } from "../offline/claims";
import type { ScanContext } from "../scan-context";

/** One finding a section is about, with the evidence ids that support it. */
export interface FindingLine {
  statement: string;
  evidence: string[];
}

interface SectionParts<Id extends SectionId> {
  id: Id;
  /** What the section covers; the writer's prompt says it. */
  brief: string;
  /** The findings the section is about, most important first: the prompt's data, the verifier's candidates. */
  findings(context: ScanContext): FindingLine[];
  /** Tables straight from the findings (code, not a model), so they need no verification; default none. */
  tables?(context: ScanContext): ReportTable[];
  /** Whether this report has the section; default always. */
  appliesTo?(context: Pick<ScanContext, "thesis">): boolean;
}

/** A section written from its findings, in parallel with the others. */
export interface FindingsSection<Id extends SectionId = SectionId> extends SectionParts<Id> {
  writtenFrom: "findings";
  /** The offline analyst's claims, by rules from the findings, each citing the evidence behind it. */
  writeOffline(context: ScanContext): DraftClaim[];
}

/** A section written after the others, from their verified claims. */
export interface SummarySection<Id extends SectionId = SectionId> extends SectionParts<Id> {
  writtenFrom: "claims";
  /** The offline analyst's summary of the other sections' claims, reused verbatim with their citations. */
  summariseOffline(sections: Partial<Record<SectionId, DraftClaim[]>>): DraftClaim[];
}

export type ReportSection<Id extends SectionId = SectionId> = FindingsSection<Id> | SummarySection<Id>;

/** Every section id of the report document has exactly one module, whose id is its key. */
export type SectionRegistry = { [Id in SectionId]: ReportSection<Id> };
