import type { AnyTRPCRouter } from "@trpc/server";
import type { z } from "zod";

/** One row of the README's procedure table, read from the router itself. */
export interface ProcedureRow {
  path: string;
  kind: "query" | "mutation" | "subscription";
  input: string;
}

interface ProcedureDef {
  _def: { type: ProcedureRow["kind"]; inputs: z.ZodType[] };
}

/** The top-level fields of a procedure's input ("—" when it takes none; "?" marks optional fields). */
function inputFields(schema: z.ZodType | undefined): string {
  let current = schema;
  let optional = false;
  // Unwrap optional/default/nullable layers and transforms (pipes) down to the object, if any.
  for (;;) {
    if (!current || "shape" in current) break;
    if (current.def.type === "pipe") current = (current.def as unknown as { in: z.ZodType }).in;
    else if ("unwrap" in current && typeof current.unwrap === "function") {
      optional ||= current.def.type === "optional" || current.def.type === "default";
      current = (current.unwrap as () => z.ZodType)();
    } else break;
  }
  if (!current) return "—";
  if (!("shape" in current)) return current.def.type;
  const shape = current.shape as Record<string, z.ZodType>;
  const fields = Object.entries(shape).map(([name, field]) =>
    field.safeParse(undefined).success ? `${name}?` : name,
  );
  if (fields.length === 0) return "—";
  const list = fields.map((field) => `\`${field}\``).join(", ");
  return optional ? `optional { ${list} }` : list;
}

export function procedureRows(router: AnyTRPCRouter): ProcedureRow[] {
  const procedures = router._def.procedures as Record<string, ProcedureDef>;
  return Object.entries(procedures)
    .map(([path, procedure]) => ({
      path,
      kind: procedure._def.type,
      input: inputFields(procedure._def.inputs[0]),
    }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

export const PROCEDURES_START =
  "<!-- procedures:start (generated: pnpm --filter @techscaniq/api gen:readme) -->";
export const PROCEDURES_END = "<!-- procedures:end -->";

export function renderProcedureTable(rows: ProcedureRow[]): string {
  return [
    "| procedure | kind | input |",
    "| --- | --- | --- |",
    ...rows.map((row) => `| \`${row.path}\` | ${row.kind} | ${row.input} |`),
  ].join("\n");
}

/** The rows of the table between the markers of a README, cells trimmed (prettier pads them). */
export function readProcedureTable(readme: string): string[][] {
  const start = readme.indexOf(PROCEDURES_START);
  const end = readme.indexOf(PROCEDURES_END);
  if (start < 0 || end < start) return [];
  return readme
    .slice(start + PROCEDURES_START.length, end)
    .split("\n")
    .filter((line) => line.startsWith("|") && !/^\|\s*-/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}
