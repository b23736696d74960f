import type { VulnerabilitySeverity as Severity } from "@techscaniq/contracts/scan";
import type { Evidence } from "./evidence";
import type { DnsInfo, TlsInfo } from "./types";

/** A detected technology; `name` and `categories` use the fingerprint database's names. */
export interface TechnologyFinding {
  name: string;
  version: string | null;
  /** 0–100 */
  confidence: number;
  categories: string[];
  website?: string;
  evidence: string[];
  /**
   * Present when the sources disagree: every version read, best-supported
   * first (the first is `version`), with where it was read and its evidence.
   */
  versions?: { version: string; sources: string[]; evidence: string[] }[];
  /** Not seen but implied by what was (see `src/inference`); its evidence is what it was inferred from. */
  inferred?: true;
  /** What an inferred technology was inferred from, and the fact that makes it follow. */
  inferredFrom?: { technology: string; basis: string }[];
}

/** One test of the MDN HTTP Observatory, scored the same way. */
export interface SecurityTest {
  name: string;
  pass: boolean;
  scoreModifier: number;
  /** The Observatory's result identifier, e.g. "hsts-not-implemented". */
  result: string;
  description: string;
  evidence: string[];
}

export interface CookieFinding {
  name: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | null;
  issues: string[];
  evidence: string[];
}

export interface SecurityReport {
  grade: string;
  score: number;
  tests: SecurityTest[];
  tls: (TlsInfo & { evidence: string[] }) | null;
  cookies: CookieFinding[];
  dns: (DnsInfo & { evidence: string[] }) | null;
  mixedContent: { url: string; evidence: string[] }[];
}

export type { VulnerabilitySeverity as Severity } from "@techscaniq/contracts/scan";

export interface VulnerabilityFinding {
  library: string;
  version: string;
  severity: Severity;
  /** CVE ids, GitHub advisory ids, bug ids. */
  identifiers: string[];
  summary: string | null;
  info: string[];
  evidence: string[];
}

export interface ThirdPartyFinding {
  host: string;
  /** Owner or product when known ("Google Analytics", "Cloudflare"), else the registrable domain. */
  owner: string;
  category: string | null;
  requests: number;
  bytes: number;
  evidence: string[];
}

export interface PerformanceReport {
  pages: {
    url: string;
    bytes: number;
    requests: number;
    bytesByType: Record<string, number>;
    requestsByType: Record<string, number>;
    ttfbMs: number | null;
    domContentLoadedMs: number | null;
    loadMs: number | null;
  }[];
  largestResources: { url: string; bytes: number; resourceType: string }[];
  totalBytes: number;
  totalRequests: number;
  evidence: string[];
}

export interface PageOutcome {
  url: string;
  finalUrl: string | null;
  status: number | null;
  bytes: number;
  rendered: boolean;
  durationMs: number;
  error: string | null;
  screenshotPng?: string;
}

export interface ScanError {
  url: string;
  stage: string;
  message: string;
}

/** Everything the scanner learnt about one site; the `detect --json` output per URL. */
export interface ScanResult {
  requestedUrl: string;
  finalUrl: string;
  technologies: TechnologyFinding[];
  security: SecurityReport | null;
  vulnerabilities: VulnerabilityFinding[];
  performance: PerformanceReport;
  thirdParties: ThirdPartyFinding[];
  pages: PageOutcome[];
  evidence: Evidence[];
  errors: ScanError[];
}
