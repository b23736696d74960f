import { AGENT_TEMPLATES, templateSpec } from "@techscaniq/contracts/agents";
import { describe, expect, it } from "vitest";
import { parseJsonObject, sampleInput } from "./json-input";
import { specErrorsFromApi, specFormOf, specFromForm } from "./spec-form";

const stackWatch = templateSpec(AGENT_TEMPLATES[0]);

describe("agents: web spec editor", () => {
  it("round-trips a template's spec through the form unchanged", () => {
    expect(specFromForm(specFormOf(stackWatch))).toEqual({ ok: true, spec: stackWatch });
  });

  it("names each problem by the field that shows it", () => {
    const form = {
      ...specFormOf(stackWatch),
      instructions: "  ",
      tools: ["scan_url"],
      maxUsd: "lots",
      actions: "Jira Issue",
      inputSchema: "{ not json",
    };
    const first = specFromForm(form);
    expect(first).toEqual({
      ok: false,
      errors: { maxUsd: ["must be a number"], inputSchema: [expect.stringMatching(/^is not valid JSON: /)] },
    });
    const second = specFromForm({ ...form, maxUsd: "1", inputSchema: '{"type":"object"}' });
    expect(second.ok).toBe(false);
    if (second.ok) return;
    expect(second.errors.instructions).toEqual(["instructions must not be empty"]);
    expect(second.errors.actions?.[0]).toMatch(/^outputs\.actions\.0: an action name is lower-case/);
    expect(second.errors.plan).toEqual([
      "plan.1.tool: plan step 2 uses compare_scans, which is not in the agent's tools",
    ]);
  });

  it("places the API's spec field errors on the editor's fields", () => {
    expect(
      specErrorsFromApi({
        "spec.budget.maxUsd": ["Too big"],
        "spec.plan.0.tool": ["unknown tool"],
        name: ["taken"],
      }),
    ).toEqual({ maxUsd: ["Too big"], plan: ["unknown tool"] });
  });

  it("reads a JSON object input and proposes a sample input from the schema", () => {
    expect(parseJsonObject('{"urls":["https://a.example/"]}')).toEqual({
      ok: true,
      value: { urls: ["https://a.example/"] },
    });
    expect(parseJsonObject("[1]")).toEqual({ ok: false, error: "must be a JSON object, e.g. {}" });
    expect(sampleInput(stackWatch.inputSchema)).toEqual({ urls: ["https://www.example.com/"] });
  });
});
