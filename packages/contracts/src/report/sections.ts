import { z } from "zod";

/** The report's sections, in reading order; stored reports and every export name them by these ids. */
export const SECTION_IDS = [
  "executive_summary",
  "technology_stack",
  "architecture",
  "security_posture",
  "vulnerable_components",
  "performance_third_parties",
  "scalability",
  "risks",
  "thesis_alignment",
  "recommendations",
] as const;
export const SectionId = z.enum(SECTION_IDS);
export type SectionId = z.infer<typeof SectionId>;

export const SECTION_TITLES: Record<SectionId, string> = {
  executive_summary: "Executive summary",
  technology_stack: "Technology stack",
  architecture: "Architecture",
  security_posture: "Security posture",
  vulnerable_components: "Vulnerable components",
  performance_third_parties: "Performance and third parties",
  scalability: "Scalability",
  risks: "Risks and red flags",
  thesis_alignment: "Thesis alignment",
  recommendations: "Recommendations",
};
