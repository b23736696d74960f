import { describe, expect, it } from "vitest";
import {
  TriggerFilter,
  TriggerInputMap,
  triggerFilterMatches,
  triggerRunInput,
  type TriggerEvent,
} from "./triggers";

const event: TriggerEvent = {
  id: "7",
  type: "finding.changed",
  subject: "w1",
  data: { url: "https://a.example/", changes: [{ kind: "version_changed" }], nested: { grade: "B" } },
};

describe("triggers: filters and input mapping", () => {
  it("matches eq and in on dotted paths, array indexes included; all conditions must hold", () => {
    const filter = TriggerFilter.parse([
      { path: "data.changes.0.kind", op: "in", value: ["version_changed", "technology_added"] },
      { path: "data.nested.grade", op: "eq", value: "B" },
      { path: "subject", op: "eq", value: "w1" },
    ]);
    expect(triggerFilterMatches(filter, event)).toBe(true);
    expect(triggerFilterMatches([...filter, { path: "data.missing", op: "eq", value: null }], event)).toBe(
      false,
    );
    // An object in the event never equals a scalar.
    expect(triggerFilterMatches([{ path: "data.nested", op: "eq", value: "[object Object]" }], event)).toBe(
      false,
    );
    expect(triggerFilterMatches([], event)).toBe(true);
  });

  it("refuses paths outside the event and unknown operators, naming the problem", () => {
    for (const path of ["data.__proto__.x()", "tenantId", "data..x", "data." + "a.".repeat(9) + "a"])
      expect(TriggerFilter.safeParse([{ path, op: "eq", value: 1 }]).error?.issues[0]?.message).toContain(
        "path must be subject, type or data.<field>",
      );
    expect(TriggerFilter.safeParse([{ path: "data.x", op: "like", value: 1 }]).success).toBe(false);
  });

  it("fills the input from the event over the fixed input; a field named __proto__ stays a field", () => {
    const map = TriggerInputMap.parse({ url: "data.url", __proto__x: "subject", absent: "data.nope" });
    const input = triggerRunInput({ url: "fixed", note: "n" }, map, event);
    expect(input).toEqual({ url: "https://a.example/", note: "n", __proto__x: "w1" });
    const proto = triggerRunInput({}, JSON.parse('{"__proto__": "subject"}') as TriggerInputMap, event);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(["__proto__"]);
  });
});
