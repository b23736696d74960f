import { describe, expect, it } from "vitest";
import { REPORT_SECTIONS, SECTION_IDS, SECTION_TITLES } from "@techscaniq/contracts/report";
import { writeSectionOffline } from "../offline/analyst";
import { sectionPrompt } from "../report/graph";
import { buildScanContext } from "../scan-context";
import { legacyShopScan, wordpressScan } from "../testing/scans";
import { architecture } from "./architecture";
import {
  isFindingsSection,
  planSections,
  REPORT_SECTION_MODULES,
  sectionFindings,
  sectionModule,
  sectionTables,
  type SectionRegistry,
} from "./index";
import { technologyStack } from "./technology-stack";

const THESIS = "A modern front end on React with cloud hosting. Security must be strong.";

describe("architecture: one registry entry per report section", () => {
  it("has one module per section of the report document, in its order, each under its own id", () => {
    expect(REPORT_SECTION_MODULES.map((s) => s.id)).toEqual(REPORT_SECTIONS.map((s) => s.id));
    expect(SECTION_IDS).toEqual(REPORT_SECTIONS.map((s) => s.id));
    for (const { id, title } of REPORT_SECTIONS) {
      expect(sectionModule(id).id).toBe(id);
      expect(SECTION_TITLES[id]).toBe(title);
    }
  });

  it("plans, gathers, tabulates and writes offline each section from its module alone", () => {
    for (const [scan, thesis] of [
      [wordpressScan(), null],
      [legacyShopScan(), THESIS],
    ] as const) {
      const context = buildScanContext({ scanId: "s", tenantId: "t", scan, thesis });
      expect(planSections(context)).toEqual(
        REPORT_SECTION_MODULES.filter((s) => s.appliesTo?.(context) ?? true).map((s) => s.id),
      );
      expect(planSections(context).includes("thesis_alignment")).toBe(thesis !== null);
      for (const section of REPORT_SECTION_MODULES) {
        expect(sectionFindings(section.id, context)).toEqual(section.findings(context));
        expect(sectionTables(section.id, context)).toEqual(section.tables?.(context) ?? []);
        const prompt = sectionPrompt(section.id, context);
        expect(prompt).toContain(`Title: ${SECTION_TITLES[section.id]}`);
        expect(prompt).toContain(`What to cover: ${section.brief}`);
        if (isFindingsSection(section))
          expect(writeSectionOffline(section.id, context)).toEqual(section.writeOffline(context));
        else
          expect(writeSectionOffline(section.id, context)).toEqual(
            section.summariseOffline(
              Object.fromEntries(
                REPORT_SECTION_MODULES.filter(isFindingsSection).map((s) => [s.id, s.writeOffline(context)]),
              ),
            ),
          );
      }
    }
  });

  it("refuses, at typecheck, a registry that misses a section or files a module under another id", () => {
    const complete = Object.fromEntries(REPORT_SECTION_MODULES.map((s) => [s.id, s])) as SectionRegistry;
    // @ts-expect-error: every section id of the report document needs its module
    const missing: SectionRegistry = { ...complete, architecture: undefined };
    // @ts-expect-error: a module's id must be the id it is registered under
    const misfiled: SectionRegistry = { ...complete, architecture: technologyStack };
    const valid: SectionRegistry = { ...complete, architecture };
    expect([missing.architecture, misfiled.architecture.id, valid.architecture.id]).toEqual([
      undefined,
      "technology_stack",
      "architecture",
    ]);
  });
});
