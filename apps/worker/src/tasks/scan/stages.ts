import { createHash } from "node:crypto";
import { HEADER_GRADE_FINDING } from "@techscaniq/contracts/scan";
import { scanObjectPath } from "@techscaniq/db/storage";
import {
  crawlStage,
  detectStage,
  FetchError,
  parseScanOptions,
  performanceStage,
  renderStage,
  ScanInputError,
  securityStage,
  siteContextStage,
  vulnsStage,
  type CrawlResult,
  type RenderStageResult,
  type ScanSettings,
  type SecurityReport,
  type SiteContext,
  type TechnologyFinding,
  type VulnerabilityFinding,
} from "@techscaniq/scanner";
import { PermanentScanError, type StageImplementations, type StageInput, type StageResult } from "./pipeline";
import type { FindingRecord, PageRecord } from "./persist";

/** Address-policy and input refusals: retrying cannot help. */
const PERMANENT_FETCH_CODES = new Set(["invalid-url", "scheme", "credentials", "blocked"]);
/** Client errors that say "later" rather than "never". */
const TRANSIENT_HTTP_STATUSES = new Set([408, 425, 429]);
/** Node's and OpenSSL's codes and words for a certificate or handshake the client refused. */
const TLS_ERROR = /cert|ssl|tls|handshake/i;

/**
 * Why the start page could not be had, as the scan's failure: a refused
 * connection, a name that does not resolve, a TLS failure and an HTTP 4xx
 * will not pass by retrying (PermanentScanError, the scan fails at once); a
 * timeout, a reset, a DNS server failing or an HTTP 5xx may (plain Error,
 * tried again within the scan's deadline).
 */
function startPageFailure(target: string, failure: { code: string; message: string }): Error {
  if (PERMANENT_FETCH_CODES.has(failure.code)) {
    return new PermanentScanError(`${failure.code}_target`, failure.message);
  }
  const host = URL.parse(target)?.host ?? target;
  if (failure.code === "dns" && !/EAI_AGAIN|ESERVFAIL|ETIMEOUT/.test(failure.message)) {
    return new PermanentScanError("dns_target", `the name ${host} does not resolve (${failure.message})`);
  }
  // The fetcher reports connection failures as "network error: <code or Node's words>; <advice>".
  const detail = /^network error: ([^;]+)/.exec(failure.message)?.[1]?.trim() ?? "";
  if (/\bECONNREFUSED\b/.test(detail)) {
    const message = `connection refused: nothing accepts connections at ${host}`;
    return new PermanentScanError("refused_target", message);
  }
  if (TLS_ERROR.test(detail)) {
    const message = `TLS failure at ${host}: ${detail} (the certificate or handshake is refused)`;
    return new PermanentScanError("tls_target", message);
  }
  return new Error(`${target} could not be fetched: ${failure.message}`);
}

function settingsFor(input: StageInput): ScanSettings {
  const { maxPages, maxDepth, renderCount } = input.scan.options;
  return parseScanOptions({
    ...input.scanner.scanOptions,
    maxPages,
    maxDepth,
    render: renderCount > 0,
    renderPages: Math.max(0, renderCount - 1),
  });
}

function runtimeFor(input: StageInput) {
  return {
    signal: input.signal,
    browser: input.scanner.browser,
    onProgress: ({ progress, message }: { progress: number; message: string }) =>
      input.onProgress(progress, message),
  };
}

/** The checkpointed output of a stage, typed for the stages that read it. */
function previous<T>(input: StageInput, stage: keyof StageInput["previous"]): T {
  const output = input.previous[stage];
  if (output === undefined) throw new Error(`stage ${stage} has no checkpoint; it must run first`);
  return output as T;
}

interface RenderCheckpoint {
  pages: RenderStageResult["pages"];
  errors: RenderStageResult["errors"];
}

interface DetectCheckpoint {
  site: SiteContext;
  technologies: TechnologyFinding[];
}

const pagesOf = (input: StageInput) => [
  ...previous<CrawlResult>(input, "crawl").pages,
  ...previous<RenderCheckpoint>(input, "render").pages,
];

async function crawl(input: StageInput): Promise<StageResult> {
  let result: CrawlResult;
  try {
    result = await crawlStage(input.scan.targetUrl, settingsFor(input), runtimeFor(input));
  } catch (error) {
    if (error instanceof ScanInputError) throw new PermanentScanError("invalid_target", error.message);
    if (error instanceof FetchError) throw startPageFailure(input.scan.targetUrl, error);
    throw error;
  }
  const start = result.pages[0];
  if (!start) {
    const first = result.failures[0];
    if (first) throw startPageFailure(input.scan.targetUrl, first);
    const skipped = result.skipped[0]?.reason ?? "no HTML page";
    const message = `${input.scan.targetUrl} has no HTML page to scan: ${skipped}`;
    throw new PermanentScanError("no_html_target", message);
  }
  // The start page is fetched first and alone: its status says whether the site is there at all.
  if (start.status >= 400) {
    const message = `the start page ${start.url} answered HTTP ${start.status}`;
    if (start.status < 500 && !TRANSIENT_HTTP_STATUSES.has(start.status)) {
      throw new PermanentScanError("http_status_target", message);
    }
    throw new Error(message);
  }
  const pages: PageRecord[] = [
    ...result.pages.map((page) => ({
      url: page.url,
      finalUrl: page.url,
      httpStatus: page.status,
      bytes: page.bytes,
      durationMs: result.fetchMs[page.url] ?? null,
      rendered: false,
      error: null,
      screenshotPath: null,
    })),
    ...result.failures.map((failure) => ({
      url: failure.url,
      finalUrl: null,
      httpStatus: null,
      bytes: 0,
      durationMs: null,
      rendered: false,
      error: failure.message,
      screenshotPath: null,
    })),
  ];
  return { output: result, evidence: [], pages };
}

async function render(input: StageInput): Promise<StageResult> {
  const result = await renderStage(
    previous<CrawlResult>(input, "crawl"),
    settingsFor(input),
    runtimeFor(input),
  );
  const pages: PageRecord[] = [];
  const checkpoint: RenderCheckpoint = { pages: [], errors: result.errors };
  for (const page of result.pages) {
    let screenshotPath: string | null = null;
    if (page.screenshotPng) {
      // Named by the page URL, so a resumed render overwrites rather than adds.
      const name = `screenshots/${createHash("sha256").update(page.url).digest("hex").slice(0, 32)}.png`;
      screenshotPath = scanObjectPath(input.scan.tenantId, input.scan.id, name);
      await input.storage.put(
        { bucket: "screenshots", path: screenshotPath },
        Buffer.from(page.screenshotPng, "base64"),
        { contentType: "image/png" },
      );
    }
    const { screenshotPng: _moved, ...withoutScreenshot } = page;
    checkpoint.pages.push(withoutScreenshot);
    pages.push({
      url: page.url,
      finalUrl: page.url,
      httpStatus: page.status,
      bytes: page.bytes,
      durationMs: page.timings?.loadMs ?? null,
      rendered: true,
      error: null,
      screenshotPath,
    });
  }
  for (const failure of result.errors) {
    pages.push({
      url: failure.url,
      finalUrl: null,
      httpStatus: null,
      bytes: 0,
      durationMs: null,
      rendered: false,
      error: failure.message,
      screenshotPath: null,
    });
  }
  return { output: checkpoint, evidence: [], pages };
}

async function detect(input: StageInput): Promise<StageResult> {
  const crawlResult = previous<CrawlResult>(input, "crawl");
  input.onProgress(0, "collecting TLS, DNS and redirection");
  const context = await siteContextStage(crawlResult, settingsFor(input), runtimeFor(input));
  input.onProgress(0.5, "matching fingerprints");
  const detected = detectStage(pagesOf(input), context.site);
  const output: DetectCheckpoint = { site: context.site, technologies: detected.technologies };
  return { output, evidence: detected.evidence, findings: detected.technologies.map(technologyFinding) };
}

async function security(input: StageInput): Promise<StageResult> {
  const { site } = previous<DetectCheckpoint>(input, "detect");
  const result = securityStage(previous<CrawlResult>(input, "crawl").pages[0], site);
  return {
    output: result.security,
    evidence: result.evidence,
    findings: result.security ? securityFindings(result.security) : [],
  };
}

async function vulns(input: StageInput): Promise<StageResult> {
  const result = vulnsStage(pagesOf(input));
  return {
    output: result.vulnerabilities,
    evidence: result.evidence,
    findings: result.vulnerabilities.map(vulnerabilityFinding),
  };
}

/** Performance and third parties, then the whole result as one JSON artifact for exports and the report. */
async function store(input: StageInput): Promise<StageResult> {
  const crawlResult = previous<CrawlResult>(input, "crawl");
  const rendered = previous<RenderCheckpoint>(input, "render");
  const extras = performanceStage(crawlResult.pages, rendered.pages);
  const findings: FindingRecord[] = [
    {
      kind: "performance",
      key: "site",
      name: "Page weight and requests",
      version: null,
      category: null,
      confidence: null,
      severity: null,
      evidenceIds: extras.performance.evidence,
      details: extras.performance,
    },
    ...extras.thirdParties.map((party): FindingRecord => ({
      kind: "third_party",
      key: party.host,
      name: party.owner,
      version: null,
      category: party.category,
      confidence: null,
      severity: null,
      evidenceIds: party.evidence,
      details: party,
    })),
  ];
  const artifactPath = scanObjectPath(input.scan.tenantId, input.scan.id, "scan-result.json");
  const artifact = {
    targetUrl: input.scan.targetUrl,
    technologies: previous<DetectCheckpoint>(input, "detect").technologies,
    security: input.previous.security ?? null,
    vulnerabilities: previous<VulnerabilityFinding[]>(input, "vulns"),
    performance: extras.performance,
    thirdParties: extras.thirdParties,
    errors: [
      ...crawlResult.failures.map((failure) => ({
        url: failure.url,
        stage: "crawl",
        message: failure.message,
      })),
      ...rendered.errors,
    ],
  };
  await input.storage.put({ bucket: "artifacts", path: artifactPath }, JSON.stringify(artifact), {
    contentType: "application/json",
  });
  return {
    output: { artifactPath, performance: extras.performance, thirdParties: extras.thirdParties },
    evidence: extras.evidence,
    findings,
  };
}

function technologyFinding(technology: TechnologyFinding): FindingRecord {
  return {
    kind: "technology",
    key: technology.name,
    name: technology.name,
    version: technology.version,
    category: technology.categories[0] ?? null,
    confidence: technology.confidence,
    severity: null,
    evidenceIds: technology.evidence,
    details: technology,
  };
}

/** A failed Observatory test weighs as much as the score it costs. */
function testSeverity(pass: boolean, scoreModifier: number): FindingRecord["severity"] {
  if (pass) return "info";
  if (scoreModifier <= -20) return "high";
  if (scoreModifier <= -10) return "medium";
  return "low";
}

function securityFindings(report: SecurityReport): FindingRecord[] {
  const evidenceOf = (lists: string[][]) => [...new Set(lists.flat())];
  return [
    {
      ...HEADER_GRADE_FINDING,
      version: report.grade,
      category: "headers",
      confidence: null,
      severity: /^[AB]/.test(report.grade) ? "info" : /^C/.test(report.grade) ? "medium" : "high",
      evidenceIds: evidenceOf(report.tests.map((test) => test.evidence)),
      details: { grade: report.grade, score: report.score },
    },
    ...report.tests.map((test): FindingRecord => ({
      kind: "security",
      key: `test:${test.name}`,
      name: test.name,
      version: null,
      category: "headers",
      confidence: null,
      severity: testSeverity(test.pass, test.scoreModifier),
      evidenceIds: test.evidence,
      details: test,
    })),
    ...report.cookies
      .filter((cookie) => cookie.issues.length > 0)
      .map((cookie): FindingRecord => ({
        kind: "security",
        key: `cookie:${cookie.name}`,
        name: `Cookie ${cookie.name}`,
        version: null,
        category: "cookies",
        confidence: null,
        severity: "low",
        evidenceIds: cookie.evidence,
        details: cookie,
      })),
    ...report.mixedContent.map((item): FindingRecord => ({
      kind: "security",
      key: `mixed:${item.url}`,
      name: "Mixed content",
      version: null,
      category: "mixed-content",
      confidence: null,
      severity: "medium",
      evidenceIds: item.evidence,
      details: item,
    })),
    ...(report.tls
      ? [
          {
            kind: "security",
            key: "tls",
            name: "TLS and certificate",
            version: report.tls.protocol,
            category: "tls",
            confidence: null,
            severity: report.tls.authorized ? "info" : "high",
            evidenceIds: report.tls.evidence,
            details: report.tls,
          } satisfies FindingRecord,
        ]
      : []),
  ];
}

/**
 * One finding per advisory: a library version usually has several. The key
 * names the advisory by its first identifier (CVE, GHSA…), else by a hash of
 * its summary and links, so storing the stage twice upserts the same rows.
 */
function vulnerabilityFinding(vulnerability: VulnerabilityFinding): FindingRecord {
  const advisory =
    vulnerability.identifiers[0] ??
    createHash("sha256")
      .update(JSON.stringify([vulnerability.summary, vulnerability.info]))
      .digest("hex")
      .slice(0, 16);
  return {
    kind: "vulnerability",
    key: `${vulnerability.library}@${vulnerability.version}#${advisory}`,
    name: vulnerability.library,
    version: vulnerability.version,
    category: "javascript-library",
    confidence: null,
    severity: vulnerability.severity,
    evidenceIds: vulnerability.evidence,
    details: vulnerability,
  };
}

/** The scanner's stage functions, wired as the pipeline's stages. */
export const scannerStages: StageImplementations = { crawl, render, detect, security, vulns, store };
