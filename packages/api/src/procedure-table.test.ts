import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { procedureRows, readProcedureTable, renderProcedureTable } from "./procedure-table";
import { appRouter } from "./router";

describe("api README: the procedure table is generated from the router", () => {
  it("lists every procedure with its kind and input, as the router has them", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const expected = readProcedureTable(
      `<!-- procedures:start (generated: pnpm --filter @techscaniq/api gen:readme) -->\n${renderProcedureTable(procedureRows(appRouter))}\n<!-- procedures:end -->`,
    );
    expect(expected.length).toBeGreaterThan(30);
    // On failure: pnpm --filter @techscaniq/api gen:readme && pnpm exec prettier --write packages/api/README.md
    expect(readProcedureTable(readme)).toEqual(expected);
  });

  it("reads inputs from the zod schemas: required, optional and absent", () => {
    const rows = Object.fromEntries(procedureRows(appRouter).map((row) => [row.path, row]));
    expect(rows["auth.signIn"]).toEqual({
      path: "auth.signIn",
      kind: "mutation",
      input: "`email`, `password`",
    });
    expect(rows["auth.me"]?.input).toBe("—");
    expect(rows["scan.progress"]?.kind).toBe("subscription");
  });
});
