import { readdir } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { AnyTRPCRouter } from "@trpc/server";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type { RouterInputs, RouterOutputs } from "./client";
import { appRouter } from "./router";
import { scanLifecycleRouter } from "./routers/scan-lifecycle";
import { scanProgressRouter } from "./routers/scan-progress";
import { scanResultsRouter } from "./routers/scan-results";

const SRC = fileURLToPath(new URL(".", import.meta.url));

/** Every value exported by `schemas.ts` and the `<area>.schemas.ts` files. */
async function declaredSchemas(): Promise<Set<unknown>> {
  const files = (await readdir(SRC, { recursive: true })).filter(
    (file) => file === "schemas.ts" || file.endsWith(".schemas.ts"),
  );
  const modules = await Promise.all(
    files.map((file) => import(pathToFileURL(`${SRC}${file}`).href) as Promise<Record<string, unknown>>),
  );
  return new Set(modules.flatMap((module) => Object.values(module)));
}

interface ProcedureDef {
  _def: { type: string; inputs: z.ZodType[]; output?: z.ZodType };
}
const proceduresOf = (router: AnyTRPCRouter) =>
  Object.entries(router._def.procedures as Record<string, ProcedureDef>);

describe("architecture: one schemas file per area, routers import their schemas", () => {
  it("every procedure's input and output is a schema exported by a schemas file (a list of one at most)", async () => {
    const declared = await declaredSchemas();
    const isDeclared = (schema: z.ZodType): boolean =>
      declared.has(schema) ||
      (schema.def.type === "array" && declared.has((schema as z.ZodArray<z.ZodType>).element));
    const inline: string[] = [];
    for (const [path, procedure] of proceduresOf(appRouter)) {
      const [input] = procedure._def.inputs;
      if (!input || !isDeclared(input)) inline.push(`${path} input`);
      const { output } = procedure._def;
      // A subscription streams events; it has no output schema.
      if (procedure._def.type !== "subscription" && (!output || !isDeclared(output)))
        inline.push(`${path} output`);
    }
    expect(inline).toEqual([]);
  });

  it("no domain folder keeps its schemas in input.ts any more", async () => {
    const files = await readdir(new URL("domain", import.meta.url), { recursive: true });
    expect(files.filter((file) => file.endsWith("input.ts"))).toEqual([]);
  });

  it("the scan router is split by concern and keeps every client path under scan", () => {
    const paths = (router: AnyTRPCRouter) => proceduresOf(router).map(([path]) => path);
    expect(paths(scanLifecycleRouter).sort()).toEqual(
      ["cancel", "create", "delete", "get", "list", "rescan", "retry"].sort(),
    );
    expect(paths(scanResultsRouter).sort()).toEqual(["evidence.list", "findings", "pages", "screenshot"]);
    expect(paths(scanProgressRouter)).toEqual(["progress"]);
    const scanPaths = paths(appRouter)
      .filter((path) => path.startsWith("scan."))
      .sort();
    expect(scanPaths).toEqual(
      [...paths(scanLifecycleRouter), ...paths(scanResultsRouter), ...paths(scanProgressRouter)]
        .map((path) => `scan.${path}`)
        .sort(),
    );
  });

  it("clients get RouterInputs and RouterOutputs from the api package", () => {
    expectTypeOf<RouterOutputs["scan"]["get"]["status"]>().toEqualTypeOf<
      "queued" | "running" | "succeeded" | "failed" | "cancelled"
    >();
    expectTypeOf<RouterOutputs["report"]["versions"][number]["models"][number]>().toEqualTypeOf<{
      provider: string;
      model: string;
      tasks: string[];
    }>();
    expectTypeOf<RouterInputs["scan"]["create"]["url"]>().toEqualTypeOf<string>();
  });
});
