import { z } from "zod";

/**
 * The report's sections, in reading order, with their titles: the one list stored reports and every export
 * name sections by. Each section's implementation is its module in `@techscaniq/ai` (`src/sections/`),
 * whose registry is keyed by these ids, so a section listed here without a module fails typecheck.
 */
export const REPORT_SECTIONS = [
  { id: "executive_summary", title: "Executive summary" },
  { id: "technology_stack", title: "Technology stack" },
  { id: "architecture", title: "Architecture" },
  { id: "security_posture", title: "Security posture" },
  { id: "vulnerable_components", title: "Vulnerable components" },
  { id: "performance_third_parties", title: "Performance and third parties" },
  { id: "scalability", title: "Scalability" },
  { id: "risks", title: "Risks and red flags" },
  { id: "thesis_alignment", title: "Thesis alignment" },
  { id: "recommendations", title: "Recommendations" },
] as const satisfies readonly { id: string; title: string }[];

type ReportSectionId = (typeof REPORT_SECTIONS)[number]["id"];
export const SECTION_IDS = REPORT_SECTIONS.map((s) => s.id) as [ReportSectionId, ...ReportSectionId[]];
export const SectionId = z.enum(SECTION_IDS);
export type SectionId = z.infer<typeof SectionId>;

export const SECTION_TITLES = Object.fromEntries(REPORT_SECTIONS.map((s) => [s.id, s.title])) as Record<
  SectionId,
  string
>;
