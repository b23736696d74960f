import { describe, expect, it } from "vitest";
import { markdownToAdf } from "./adf";

describe("integrations: jira markdown to ADF", () => {
  it("headings, paragraphs, lists, code, quotes and rules become ADF blocks", () => {
    const markdown = [
      "# Title",
      "",
      "First line",
      "continues here.",
      "",
      "- one",
      "* two",
      "",
      "3. third",
      "4. fourth",
      "",
      "```ts",
      "const x = 1;",
      "",
      "```",
      "> quoted",
      "",
      "---",
    ].join("\n");
    expect(markdownToAdf(markdown)).toEqual({
      version: 1,
      type: "doc",
      content: [
        { type: "heading", attrs: { level: 1 }, content: [{ type: "text", text: "Title" }] },
        { type: "paragraph", content: [{ type: "text", text: "First line continues here." }] },
        {
          type: "bulletList",
          content: [
            { type: "listItem", content: [{ type: "paragraph", content: [{ type: "text", text: "one" }] }] },
            { type: "listItem", content: [{ type: "paragraph", content: [{ type: "text", text: "two" }] }] },
          ],
        },
        {
          type: "orderedList",
          attrs: { order: 3 },
          content: [
            {
              type: "listItem",
              content: [{ type: "paragraph", content: [{ type: "text", text: "third" }] }],
            },
            {
              type: "listItem",
              content: [{ type: "paragraph", content: [{ type: "text", text: "fourth" }] }],
            },
          ],
        },
        { type: "codeBlock", attrs: { language: "ts" }, content: [{ type: "text", text: "const x = 1;\n" }] },
        {
          type: "blockquote",
          content: [{ type: "paragraph", content: [{ type: "text", text: "quoted" }] }],
        },
        { type: "rule" },
      ],
    });
  });

  it("bold, italic, inline code and links become marks; unsafe links stay text", () => {
    const [paragraph] = markdownToAdf(
      "Use **bold _and italic_**, `code`, [docs](https://example.com/a) " +
        "and [x](javascript:alert(1)) in snake_case_name",
    ).content;
    expect(paragraph!.content).toEqual([
      { type: "text", text: "Use " },
      { type: "text", text: "bold ", marks: [{ type: "strong" }] },
      { type: "text", text: "and italic", marks: [{ type: "strong" }, { type: "em" }] },
      { type: "text", text: ", " },
      { type: "text", text: "code", marks: [{ type: "code" }] },
      { type: "text", text: ", " },
      { type: "text", text: "docs", marks: [{ type: "link", attrs: { href: "https://example.com/a" } }] },
      { type: "text", text: " and [x](javascript:alert(1)) in snake_case_name" },
    ]);
  });

  it("an empty description is an empty document", () => {
    expect(markdownToAdf("")).toEqual({ version: 1, type: "doc", content: [] });
  });
});
