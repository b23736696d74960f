import type { z } from "zod";
import {
  detailsAs,
  HEADER_GRADE_FINDING,
  HeaderGradeDetails,
  VULNERABILITY_SEVERITIES,
  type FindingRecord,
  type VulnerabilitySeverity,
} from "./findings";
import {
  CookieDetails,
  MixedContentDetails,
  SecurityTestDetails,
  TechnologyDetails,
  ThirdPartyDetails,
  TlsDetails,
  VulnerabilityDetails,
} from "./details";
import { ScanResultInput, type EvidenceItem, type ScanInput } from "./result";

/**
 * A stored scan (its `findings` rows, `evidence_items` rows and the security
 * stage's checkpoint) turned back into the report's `ScanInput`. Shared by
 * the report worker (building the report) and the API (scan diffs), so both
 * read a scan the same way.
 */

export interface StoredFinding extends Omit<FindingRecord, "severity"> {
  severity: string | null;
}

/** A `findings` row as the database returns it (snake_case columns). */
export interface FindingRow {
  kind: StoredFinding["kind"];
  finding_key: string;
  name: string;
  version: string | null;
  category: string | null;
  confidence: number | null;
  severity: string | null;
  evidence_ids: string[];
  details: unknown;
}

/** One mapping from a findings row to the stored shape, for every reader (worker reports, API diffs). */
export function storedFindingFromRow(row: FindingRow): StoredFinding {
  return {
    kind: row.kind,
    key: row.finding_key,
    name: row.name,
    version: row.version,
    category: row.category,
    confidence: row.confidence,
    severity: row.severity,
    evidenceIds: row.evidence_ids,
    details: row.details,
  };
}

/** An `evidence_items` row as the database returns it (snake_case columns). */
export interface EvidenceRow {
  evidence_id: string;
  kind: string;
  collector: string;
  url: string;
  locator: string;
  snippet: string;
  content_hash: string;
  observed_at: Date;
  confidence: number;
}

/** One mapping from an evidence row to the stored evidence item, for every reader (worker reports, API lists). */
export function storedEvidenceFromRow(row: EvidenceRow): Required<EvidenceItem> {
  return {
    id: row.evidence_id,
    kind: row.kind,
    collector: row.collector,
    url: row.url,
    locator: row.locator,
    snippet: row.snippet,
    contentHash: row.content_hash,
    observedAt: row.observed_at.toISOString(),
    confidence: row.confidence,
  };
}

export interface StoredScan {
  targetUrl: string;
  findings: readonly StoredFinding[];
  evidence: readonly EvidenceItem[];
  /** Output of the security stage (the scanner's whole security report), when it was checkpointed. */
  securityCheckpoint: unknown;
}

const SecuritySchema = ScanResultInput.shape.security.unwrap();
const vulnerabilitySeverity = (severity: string | null) =>
  (VULNERABILITY_SEVERITIES as readonly string[]).includes(severity ?? "")
    ? (severity as VulnerabilitySeverity)
    : "medium";

/** The security report: the stage checkpoint when it is whole, otherwise rebuilt from the security findings (without DNS). */
function securityOf(stored: StoredScan): ScanInput["security"] {
  const checkpoint = SecuritySchema.safeParse(stored.securityCheckpoint);
  if (checkpoint.success) return checkpoint.data;
  const security = stored.findings.filter((f) => f.kind === "security");
  const grade = security.find((f) => f.key === HEADER_GRADE_FINDING.key);
  const gradeDetails = grade ? detailsAs(HeaderGradeDetails, grade.details) : null;
  if (!gradeDetails) return null;
  const parsedAll = <T>(prefix: string, schema: z.ZodType<T>) =>
    security.filter((f) => f.key.startsWith(prefix)).flatMap((f) => detailsAs(schema, f.details) ?? []);
  const tlsFinding = security.find((f) => f.key === "tls");
  return {
    grade: gradeDetails.grade,
    score: gradeDetails.score,
    tests: parsedAll("test:", SecurityTestDetails),
    tls: tlsFinding ? detailsAs(TlsDetails, tlsFinding.details) : null,
    cookies: parsedAll("cookie:", CookieDetails),
    dns: null,
    mixedContent: parsedAll("mixed:", MixedContentDetails),
  };
}

export function scanInputFromStored(stored: StoredScan): ScanInput {
  const of = (kind: StoredFinding["kind"]) => stored.findings.filter((f) => f.kind === kind);
  const performance = of("performance")
    .map((f) => detailsAs(ScanResultInput.shape.performance, f.details))
    .find((p) => p !== null);
  return ScanResultInput.parse({
    requestedUrl: stored.targetUrl,
    finalUrl: stored.targetUrl,
    technologies: of("technology").map(
      (f) =>
        detailsAs(TechnologyDetails, f.details) ?? {
          name: f.name,
          version: f.version,
          confidence: f.confidence ?? 100,
          categories: f.category ? [f.category] : [],
          evidence: f.evidenceIds,
        },
    ),
    security: securityOf(stored),
    vulnerabilities: of("vulnerability").map(
      (f) =>
        detailsAs(VulnerabilityDetails, f.details) ?? {
          library: f.name,
          version: f.version ?? "unknown",
          severity: vulnerabilitySeverity(f.severity),
          identifiers: [],
          summary: null,
          evidence: f.evidenceIds,
        },
    ),
    performance: performance ?? {
      pages: [],
      largestResources: [],
      totalBytes: 0,
      totalRequests: 0,
      evidence: [],
    },
    thirdParties: of("third_party").map(
      (f) =>
        detailsAs(ThirdPartyDetails, f.details) ?? {
          host: f.key,
          owner: f.name,
          category: f.category,
          requests: 0,
          bytes: 0,
          evidence: f.evidenceIds,
        },
    ),
    evidence: stored.evidence,
  });
}
