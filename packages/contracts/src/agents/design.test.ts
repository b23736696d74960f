import { describe, expect, it } from "vitest";
import {
  AgentSpec,
  CapabilityModelError,
  compileDesign,
  DesignAnalysis,
  designFromModel,
  designFromText,
  designInteractions,
  matchTemplate,
  parseCapabilityModel,
} from "./index";

const REQUIREMENTS = `We hold twelve portfolio companies; watch their technology stack and library versions.
- Flag any security regression, such as a worse header grade or a new vulnerable library; open a Jira ticket.
- Before each deal, check the target's technology against our investment thesis.
Lunch is at noon.`;

const ARCHIMATE = `<?xml version="1.0" encoding="UTF-8"?>
<!-- exported by a modelling tool -->
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="id-model">
  <name xml:lang="en">Due diligence &amp; monitoring</name>
  <elements>
    <element identifier="c1" xsi:type="Capability">
      <name xml:lang="en">Vendor onboarding</name>
      <documentation xml:lang="en">Review each supplier&#39;s security posture &lt;yearly&gt;.</documentation>
    </element>
    <element identifier="c2" xsi:type="Capability">
      <name xml:lang="en"><![CDATA[Stack & version monitoring]]></name>
    </element>
    <element identifier="a1" xsi:type="BusinessActor"><name>Analyst</name></element>
  </elements>
  <relationships>
    <relationship identifier="r1" source="c2" target="c1" xsi:type="Flow"/>
    <relationship identifier="r2" source="a1" target="c1" xsi:type="Serving"/>
  </relationships>
</model>`;

describe("agents: design wizard designer", () => {
  it("maps prose onto the templates: one capability per sentence, one agent per template used", () => {
    const analysis = designFromText(REQUIREMENTS);
    expect(analysis.capabilities.map((capability) => capability.templateId)).toEqual([
      "stack-watch",
      "security-regression",
      "thesis-check",
      null,
    ]);
    expect(analysis.agents.map((agent) => [agent.key, agent.capabilityIds])).toEqual([
      ["stack-watch", ["cap-1"]],
      ["security-regression", ["cap-2"]],
      ["thesis-check", ["cap-3"]],
    ]);
    expect(designFromText(REQUIREMENTS)).toEqual(analysis); // deterministic
    expect(matchTemplate("Review the vendor's cookies")).toBe("vendor-security-review");
    expect(matchTemplate("Lunch is at noon")).toBeNull();
  });

  it("hands off between consecutive agents with a message schema; compiles specs AgentSpec accepts", () => {
    const analysis = designFromText(REQUIREMENTS);
    const interactions = designInteractions(analysis);
    expect(interactions.map((interaction) => `${interaction.from}>${interaction.to}`)).toEqual([
      "stack-watch>security-regression",
      "security-regression>thesis-check",
    ]);
    expect(interactions[0]!.messageSchema).toMatchObject({
      type: "object",
      required: ["url", "scanId", "summary"],
    });
    const compiled = compileDesign(analysis, interactions);
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
    expect(compiled.agents).toHaveLength(3);
    for (const agent of compiled.agents) expect(AgentSpec.safeParse(agent.spec).success).toBe(true);
    expect(compiled.agents[0]!.spec.instructions).toContain("- to security-regression:");
    expect(compiled.agents[1]!.spec).toMatchObject({ autonomy: "approve", template: "security-regression" });
  });

  it("fails compile with the validation errors instead of a half-valid spec", () => {
    const analysis = designFromText("Watch the technology stack of our portfolio.");
    analysis.capabilities[0]!.description = "x".repeat(1999);
    const many = DesignAnalysis.parse({
      ...analysis,
      capabilities: Array.from({ length: 12 }, (_, index) => ({
        ...analysis.capabilities[0]!,
        id: `cap-${index + 1}`,
      })),
      agents: [
        {
          ...analysis.agents[0]!,
          capabilityIds: Array.from({ length: 12 }, (_, index) => `cap-${index + 1}`),
        },
      ],
    });
    const result = compileDesign(many, []);
    expect(result).toEqual({
      ok: false,
      errors: [{ agent: "stack-watch", path: "instructions", message: expect.stringContaining("20000") }],
    });
  });

  it("refuses an edited analysis whose agent names a capability that does not exist", () => {
    const analysis = designFromText("Watch the technology stack of our portfolio.");
    const result = DesignAnalysis.safeParse({
      ...analysis,
      agents: [{ ...analysis.agents[0]!, capabilityIds: ["cap-9"] }],
    });
    expect(result.error?.issues[0]).toMatchObject({
      path: ["agents", 0, "capabilityIds", 0],
      message: "no capability cap-9",
    });
  });
});

describe("agents: design wizard capability models", () => {
  it("reads ArchiMate Open Exchange capabilities, their documentation and the relations between them", () => {
    const model = parseCapabilityModel("model.xml", ARCHIMATE);
    expect(model).toEqual({
      format: "archimate",
      capabilities: [
        {
          sourceId: "c1",
          name: "Vendor onboarding",
          description: "Review each supplier's security posture <yearly>.",
        },
        { sourceId: "c2", name: "Stack & version monitoring", description: "" },
      ],
      relations: [{ from: "c2", to: "c1", type: "Flow" }],
    });
    const analysis = designFromModel(model);
    expect(analysis.agents.map((agent) => agent.key)).toEqual(["stack-watch", "vendor-security-review"]);
    expect(
      designInteractions(analysis).map((interaction) => `${interaction.from}>${interaction.to}`),
    ).toEqual(["stack-watch>vendor-security-review"]);
  });

  it("reads a CSV with quoted fields", () => {
    const csv =
      'Name,Description\r\n"Thesis fit","Check targets against the thesis, ""claim by claim"""\r\n' +
      "Vendor review,Supplier posture\r\n";
    expect(parseCapabilityModel("caps.csv", csv).capabilities).toEqual([
      {
        sourceId: "row-2",
        name: "Thesis fit",
        description: 'Check targets against the thesis, "claim by claim"',
      },
      { sourceId: "row-3", name: "Vendor review", description: "Supplier posture" },
    ]);
  });

  it.each([
    ["<model><elements></model>", "malformed XML: </model> does not close <elements> on line 1"],
    ["<model><element a='1' a='2'/></model>", "malformed XML: attribute a given twice on line 1"],
    [
      '<!DOCTYPE x [<!ENTITY e "boom">]><model/>',
      "malformed XML: a DOCTYPE or declaration (not accepted in a capability model) on line 1",
    ],
    ["<model>&e;</model>", "malformed XML: unknown entity &e; on line 1"],
    ["<model>\n<name>x</name>", "malformed XML: <model> is never closed on line 2"],
    ["<diagram/>", "not an ArchiMate Open Exchange file: the root element is <diagram>, not <model>"],
    ["<model><elements/></model>", 'm.xml has no element of xsi:type="Capability"'],
    ["title,owner\nx,y", 'not a capability CSV: the first row must name a "name" (or "capability") column'],
    ["name,description\nx", "malformed CSV: row 2 has 1 fields, the header has 2"],
    ['name\n"open', "malformed CSV: a quoted field is never closed"],
  ])("refuses %j with a clear error", (text, message) => {
    expect(() => parseCapabilityModel("m.xml", text)).toThrow(new CapabilityModelError(message));
  });

  it("refuses a file over 10 MB", () => {
    expect(() => parseCapabilityModel("big.csv", `name\n${"x".repeat(10 * 1024 * 1024)}`)).toThrow(
      "the file is larger than 10 MB",
    );
  });
});
