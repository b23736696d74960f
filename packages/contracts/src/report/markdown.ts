import {
  describeChanges,
  publicationSummary,
  evidenceNumbers,
  SCORE_TITLES,
  type ReportDocument,
} from "./document";

/**
 * Scanned text is untrusted: Markdown renderers pass raw HTML through, so
 * `<`, `>` and `&` become entities, and the punctuation that opens a link or
 * image (`[`), emphasis, a code span, a table cell or strikethrough is
 * escaped. Nothing else is: escaped text never starts a line (every line
 * begins with the renderer's own list marker, number or label), so `#`, `-`,
 * `+` and `1.` cannot start a heading or list, and `(`, `)`, `!` do nothing
 * without a `[` — URLs and versions stay readable in the raw file.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_{}[\]|~])/g, "\\$1")
    .replace(/\r?\n/g, " ");
}

function cite(ids: readonly string[], numbers: Map<string, number>): string {
  const refs = ids.flatMap((id) =>
    numbers.has(id) ? [`[\\[${numbers.get(id)}\\]](#evidence-${numbers.get(id)})`] : [],
  );
  return refs.length ? ` ${refs.join("")}` : "";
}

export function renderMarkdown(document: ReportDocument): string {
  const numbers = evidenceNumbers(document);
  const claims = new Map(document.claims.map((c) => [c.id, c]));
  const out: string[] = [
    `# Technology due-diligence report: ${escapeMarkdown(document.target.finalUrl)}`,
    "",
    `Report ${escapeMarkdown(document.reportId)}, version ${document.version}, generated ${escapeMarkdown(document.generatedAt)} from scan ${escapeMarkdown(document.scanId)}.`,
    `Every statement below cites the evidence that shows it (numbers in brackets, listed in the appendix); ${publicationSummary(document)}`,
    "",
  ];
  if (document.thesis) out.push("**Investment thesis:** " + escapeMarkdown(document.thesis), "");

  out.push("## Scores", "", "| Area | Score | Rule |", "| --- | --- | --- |");
  for (const score of document.scores)
    out.push(
      `| ${SCORE_TITLES[score.name]} | ${score.score ?? "not judged"} | ${escapeMarkdown(score.rule)} |`,
    );
  out.push("");

  for (const section of document.sections) {
    out.push(`## ${escapeMarkdown(section.title)}`, "");
    if (section.status === "failed")
      out.push(
        `*This section could not be written: ${escapeMarkdown(section.error ?? "unknown error")}*`,
        "",
      );
    for (const id of section.claimIds) {
      const claim = claims.get(id);
      if (claim) out.push(`- ${escapeMarkdown(claim.text)}${cite(claim.evidence, numbers)}`);
    }
    if (section.claimIds.length) out.push("");
    for (const table of section.tables) {
      out.push(
        `**${escapeMarkdown(table.caption)}**`,
        "",
        `| ${[...table.columns, "Evidence"].map(escapeMarkdown).join(" | ")} |`,
        `|${" --- |".repeat(table.columns.length + 1)}`,
      );
      for (const row of table.rows)
        out.push(`| ${row.cells.map(escapeMarkdown).join(" | ")} |${cite(row.evidence, numbers) || " "} |`);
      out.push("");
    }
  }

  if (document.changes) {
    out.push(
      "## Changes since the previous scan",
      "",
      `Compared with scan ${escapeMarkdown(document.changes.beforeScanId)}.`,
      "",
    );
    for (const line of describeChanges(document.changes)) out.push(`- ${escapeMarkdown(line)}`);
    out.push("");
  }

  out.push("## Evidence", "");
  for (const item of document.evidence) {
    out.push(
      `${numbers.get(item.id)}. <a id="evidence-${numbers.get(item.id)}"></a>**${escapeMarkdown(item.id)}** (${escapeMarkdown(item.kind)}) ${escapeMarkdown(item.url)} — ${escapeMarkdown(item.locator)}: “${escapeMarkdown(item.snippet)}” (sha-256 ${escapeMarkdown(item.contentHash)})`,
    );
  }
  out.push("");
  return out.join("\n");
}
