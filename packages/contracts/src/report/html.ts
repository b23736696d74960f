import {
  describeChanges,
  publicationSummary,
  evidenceNumbers,
  SCORE_TITLES,
  type ReportDocument,
} from "./document";

/** Every string that reaches the HTML goes through here: scanned content is data, never markup. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const STYLE = `
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a2e;max-width:60rem;margin:2rem auto;padding:0 1.5rem}
h1{font-size:1.6rem;margin-bottom:.25rem}h2{font-size:1.2rem;border-bottom:1px solid #ddd;padding-bottom:.25rem;margin-top:2rem}
.meta{color:#555;font-size:.85rem}table{border-collapse:collapse;width:100%;margin:.75rem 0;font-size:.85rem}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f4f4f8}
caption{text-align:left;font-weight:600;padding:.25rem 0}a.cite{font-size:.75rem;vertical-align:super;text-decoration:none;margin-left:.1rem}
.failed{color:#a00}.evidence li{margin-bottom:.5rem;word-break:break-word}.snippet{font-family:ui-monospace,monospace;background:#f6f6f6;padding:0 .2rem}
.hash{color:#777;font-size:.75rem}
`;

function cite(ids: readonly string[], numbers: Map<string, number>): string {
  return ids
    .flatMap((id) => {
      const n = numbers.get(id);
      return n === undefined
        ? []
        : [`<a class="cite" href="#evidence-${n}" title="${escapeHtml(id)}">[${n}]</a>`];
    })
    .join("");
}

/**
 * A self-contained HTML page: inline styles, no scripts, no external
 * resources (its CSP forbids them), evidence URLs shown as text rather than
 * links, and every string escaped.
 */
export function renderHtml(document: ReportDocument): string {
  const numbers = evidenceNumbers(document);
  const claims = new Map(document.claims.map((c) => [c.id, c]));
  const e = escapeHtml;
  const body: string[] = [
    `<h1>Technology due-diligence report</h1>`,
    `<p class="meta">${e(document.target.finalUrl)} · report ${e(document.reportId)} version ${document.version} · generated ${e(document.generatedAt)} · scan ${e(document.scanId)}</p>`,
    `<p>Every statement cites the evidence that shows it (numbers link to the appendix). ${publicationSummary(document)}</p>`,
  ];
  if (document.thesis) body.push(`<p><strong>Investment thesis:</strong> ${e(document.thesis)}</p>`);

  body.push(
    `<h2 id="scores">Scores</h2><table><thead><tr><th>Area</th><th>Score</th><th>Rule</th></tr></thead><tbody>`,
  );
  for (const score of document.scores)
    body.push(
      `<tr><td>${e(SCORE_TITLES[score.name])}</td><td>${score.score ?? "not judged"}</td><td>${e(score.rule)}</td></tr>`,
    );
  body.push(`</tbody></table>`);

  for (const section of document.sections) {
    body.push(`<section id="section-${e(section.id)}"><h2>${e(section.title)}</h2>`);
    if (section.status === "failed")
      body.push(
        `<p class="failed">This section could not be written: ${e(section.error ?? "unknown error")}</p>`,
      );
    const items = section.claimIds.flatMap((id) => {
      const claim = claims.get(id);
      return claim
        ? [`<li id="claim-${e(claim.id)}">${e(claim.text)}${cite(claim.evidence, numbers)}</li>`]
        : [];
    });
    if (items.length) body.push(`<ul>${items.join("")}</ul>`);
    for (const table of section.tables) {
      body.push(
        `<table><caption>${e(table.caption)}</caption><thead><tr>${[...table.columns, "Evidence"].map((c) => `<th>${e(c)}</th>`).join("")}</tr></thead><tbody>`,
      );
      for (const row of table.rows)
        body.push(
          `<tr>${row.cells.map((c) => `<td>${e(c)}</td>`).join("")}<td>${cite(row.evidence, numbers)}</td></tr>`,
        );
      body.push(`</tbody></table>`);
    }
    body.push(`</section>`);
  }

  if (document.changes) {
    body.push(
      `<section id="changes"><h2>Changes since the previous scan</h2><p>Compared with scan ${e(document.changes.beforeScanId)}.</p><ul>`,
    );
    for (const line of describeChanges(document.changes)) body.push(`<li>${e(line)}</li>`);
    body.push(`</ul></section>`);
  }

  body.push(`<section id="evidence" class="evidence"><h2>Evidence</h2><ol>`);
  for (const item of document.evidence) {
    body.push(
      `<li id="evidence-${numbers.get(item.id)}"><strong>${e(item.id)}</strong> (${e(item.kind)}) ${e(item.url)} — ${e(item.locator)}: <span class="snippet">${e(item.snippet)}</span> <span class="hash">sha-256 ${e(item.contentHash)}</span></li>`,
    );
  }
  body.push(`</ol></section>`);

  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>TechScanIQ report: ${e(document.target.finalUrl)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    ...body,
    "</body></html>",
    "",
  ].join("\n");
}
