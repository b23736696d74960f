import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { reportSchemaFile, reportSchemaText } from "../../scripts/write-schema";

describe("report document JSON Schema", () => {
  it("publishes its JSON Schema, equal to the zod schema (regenerate with pnpm --filter @techscaniq/contracts gen:schema)", async () => {
    expect(await readFile(reportSchemaFile, "utf8")).toBe(reportSchemaText());
  });
});
