import { readFile } from "node:fs/promises";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/** A function longer than this mixes phases; split it into named ones. */
const MAX_FUNCTION_LINES = 70;

/** Every function in a source file, named (or placed) with its length in lines. */
async function functionLengths(file: string): Promise<{ name: string; lines: number }[]> {
  const text = await readFile(new URL(file, import.meta.url), "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lengths: { name: string; lines: number }[] = [];
  const lineOf = (position: number) => source.getLineAndCharacterOfPosition(position).line;
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = lineOf(node.getStart());
      const name = node.name?.getText() ?? `function at line ${start + 1}`;
      lengths.push({ name, lines: lineOf(node.getEnd()) - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return lengths;
}

describe("architecture: report graph and model router in named phases", () => {
  it.each(["./report/graph.ts", "./router/router.ts"])(
    `%s has no function over ${MAX_FUNCTION_LINES} lines`,
    async (file) => {
      const lengths = await functionLengths(file);
      expect(lengths.length).toBeGreaterThan(5);
      expect(lengths.filter((f) => f.lines > MAX_FUNCTION_LINES)).toEqual([]);
    },
  );
});
