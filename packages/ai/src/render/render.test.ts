import { MemorySaver } from "@langchain/langgraph";
import type { ScanResult } from "@techscaniq/scanner";
import { beforeAll, describe, expect, it } from "vitest";
import { AiConfig, TASKS } from "../config";
import type { ReportContent } from "../report";
import { generateReport } from "../report";
import { legacyShopScan, wordpressScan } from "../testing/scans";
import {
  buildReportDocument,
  diffScans,
  escapeHtml,
  escapeMarkdown,
  renderHtml,
  renderJson,
  renderMarkdown,
  ReportDocument,
  type ReportDocument as ReportDocumentType,
} from "@techscaniq/contracts/report";
import { countPdfPages, renderPdf } from "./pdf";

const offline = AiConfig.parse({
  providers: { offline: { kind: "offline" } },
  routes: Object.fromEntries(TASKS.map((t) => [t, [{ provider: "offline", model: "rules" }]])),
});
const HOSTILE = `</span></li><script>alert("x")</script><img src=x onerror=alert(1)> [click](javascript:alert(1)) | # heading`;

/** A WordPress scan whose generator meta tag (cited by the stack table) carries markup and Markdown. */
function hostileScan(): ScanResult {
  const scan = wordpressScan();
  const wordpress = scan.technologies.find((t) => t.name === "WordPress")!;
  const item = scan.evidence.find((e) => e.id === wordpress.evidence[0])!;
  item.snippet = `<meta name="generator" content="WordPress 6.4.2 ${HOSTILE}" />`;
  return scan;
}

let content: ReportContent;
let document: ReportDocumentType;
beforeAll(async () => {
  content = await generateReport(
    {
      scanId: "scan-r",
      tenantId: "tenant-r",
      scan: hostileScan(),
      thesis: "Modern <b>stack</b> & strong security.",
    },
    {
      config: offline,
      recordUsage: () => undefined,
      checkpointer: new MemorySaver(),
      threadId: "render",
      now: () => new Date("2026-01-02T03:04:05Z"),
    },
  );
  const changes = diffScans(
    { scanId: "scan-0", scan: legacyShopScan() },
    { scanId: "scan-r", scan: hostileScan() },
  );
  document = buildReportDocument(content, { reportId: "report-r", version: 2, changes });
});

describe("report document and JSON export", () => {
  it("holds every claim with its verification and every cited evidence item", () => {
    const json = JSON.parse(renderJson(document)) as unknown;
    expect(ReportDocument.parse(json)).toEqual(document);
    expect(document.claims.length).toBe(content.claims.length);
    const ids = new Set(document.evidence.map((e) => e.id));
    for (const claim of document.claims) {
      expect(claim.verification.status).toBe("verified");
      for (const id of claim.evidence) expect(ids.has(id), `${claim.id} cites ${id}`).toBe(true);
    }
    for (const item of document.evidence)
      expect(Object.keys(item).sort()).toEqual(["contentHash", "id", "kind", "locator", "snippet", "url"]);
  });

  it("refuses content that is not a report", () => {
    expect(() =>
      buildReportDocument({ ...content, claims: [{ id: "x" }] } as unknown as ReportContent, {
        reportId: "r",
        version: 1,
        changes: null,
      }),
    ).toThrow(/claims/);
  });
});

describe("scan diff", () => {
  it("lists technologies added, removed and changed, the grade change, new and fixed vulnerabilities and third parties", () => {
    const before = legacyShopScan();
    const after = structuredClone(before);
    after.technologies = after.technologies
      .filter((t) => t.name !== "Apache HTTP Server")
      .map((t) => (t.name === "jQuery" ? { ...t, version: "3.7.1" } : t));
    after.technologies.push({
      name: "Nginx",
      version: "1.24.0",
      confidence: 100,
      categories: ["Web servers"],
      evidence: [],
    });
    after.security = after.security ? { ...after.security, grade: "B", score: 70 } : null;
    after.vulnerabilities = [];
    after.thirdParties = [
      ...after.thirdParties,
      { host: "js.stripe.com", owner: "Stripe", category: "payments", requests: 1, bytes: 10, evidence: [] },
    ];
    const diff = diffScans({ scanId: "a", scan: before }, { scanId: "b", scan: after });
    expect(diff.technologies.added).toEqual([{ name: "Nginx", version: "1.24.0" }]);
    expect(diff.technologies.removed.map((t) => t.name)).toEqual(["Apache HTTP Server"]);
    expect(diff.technologies.versionChanged).toEqual([{ name: "jQuery", from: "1.8.3", to: "3.7.1" }]);
    expect(diff.headerGrade).toMatchObject({ before: before.security!.grade, after: "B", changed: true });
    expect(diff.vulnerabilities.new).toEqual([]);
    expect(diff.vulnerabilities.fixed.length).toBe(before.vulnerabilities.length);
    expect(diff.vulnerabilities.fixed.length).toBeGreaterThan(0);
    expect(diff.thirdParties.added).toEqual([{ host: "js.stripe.com", owner: "Stripe" }]);
    expect(diff.unchanged).toBe(false);
    expect(
      diffScans({ scanId: "a", scan: before }, { scanId: "c", scan: structuredClone(before) }).unchanged,
    ).toBe(true);
  });
});

describe("HTML and Markdown", () => {
  it("renders a self-contained HTML page with every scanned string escaped and citations linking to the appendix", () => {
    const html = renderHtml(document);
    expect(html).not.toMatch(/<script|<img|<b>|<[^>]*\son\w+=|href="javascript:/i);
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html).toContain("Modern &lt;b&gt;stack&lt;/b&gt; &amp; strong security.");
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//); // nothing external
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    const anchors = new Set([...html.matchAll(/id="evidence-(\d+)"/g)].map((m) => m[1]));
    const links = [...html.matchAll(/href="#evidence-(\d+)"/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(document.claims.length);
    for (const n of links) expect(anchors.has(n)).toBe(true);
    expect(anchors.size).toBe(document.evidence.length);
    for (const section of document.sections) expect(html).toContain(`<h2>${escapeHtml(section.title)}</h2>`);
    expect(html).toContain("Changes since the previous scan");
    expect(html).toContain("Version changed: jQuery 1.8.3 → 3.7.1.");
  });

  it("renders Markdown whose scanned text cannot open tags, links or table cells", () => {
    const markdown = renderMarkdown(document);
    // A link needs an unescaped `[`…`](`: every `[` and `]` of scanned text is escaped.
    expect(markdown).not.toMatch(/<script|<img|(?<!\\)\]\(javascript:/i);
    expect(markdown).toContain(escapeMarkdown(HOSTILE));
    expect(escapeMarkdown("a|b [x](y) <i>")).toBe("a\\|b \\[x\\](y) &lt;i&gt;");
    expect(escapeMarkdown("https://shop.example-1.com/ v1.2.3-beta+1 #1 !")).toBe(
      "https://shop.example-1.com/ v1.2.3-beta+1 #1 !",
    );
    for (const section of document.sections)
      expect(markdown).toContain(`## ${escapeMarkdown(section.title)}`);
    expect(markdown).toContain("## Evidence");
    expect(markdown.match(/<a id="evidence-\d+"><\/a>/g)).toHaveLength(document.evidence.length);
  });
});

describe("PDF", () => {
  it("prints the HTML with Chromium into a PDF with pages", async () => {
    const pdf = await renderPdf(renderHtml(document));
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe("%PDF-");
    expect(countPdfPages(pdf)).toBeGreaterThan(1);
  }, 60_000);
});
