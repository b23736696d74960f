import { z } from "zod";
import { VULNERABILITY_SEVERITIES } from "./findings";

/**
 * What the report needs of a scan: the scanner's `ScanResult` as it is
 * stored (JSON), validated wherever it is read back.
 */

const ids = z.array(z.string());
const EvidenceSchema = z.object({
  id: z.string().min(1),
  kind: z.string().min(1),
  collector: z.string(),
  url: z.string(),
  locator: z.string(),
  snippet: z.string(),
  contentHash: z.string(),
  observedAt: z.string().optional(),
  confidence: z.number().optional(),
});
export type EvidenceItem = z.infer<typeof EvidenceSchema>;

export const ScanResultInput = z.object({
  requestedUrl: z.string().min(1),
  finalUrl: z.string().min(1),
  technologies: z.array(
    z.object({
      name: z.string().min(1),
      version: z.string().nullable(),
      confidence: z.number(),
      categories: z.array(z.string()),
      evidence: ids,
      /** Not seen but implied by what was; `evidence` is what it was inferred from. */
      inferred: z.literal(true).optional(),
      /** What an inferred technology was inferred from, and the fact that makes it follow. */
      inferredFrom: z.array(z.object({ technology: z.string(), basis: z.string() })).optional(),
    }),
  ),
  security: z
    .object({
      grade: z.string(),
      score: z.number(),
      tests: z.array(
        z.object({
          name: z.string(),
          pass: z.boolean(),
          scoreModifier: z.number(),
          result: z.string(),
          description: z.string(),
          evidence: ids,
        }),
      ),
      tls: z
        .object({
          host: z.string(),
          protocol: z.string().nullable(),
          cipher: z.string().nullable(),
          issuer: z.string().nullable(),
          subject: z.string().nullable(),
          subjectAltNames: z.array(z.string()),
          validFrom: z.string().nullable(),
          validTo: z.string().nullable(),
          daysRemaining: z.number().nullable(),
          authorized: z.boolean(),
          authorizationError: z.string().nullable(),
          evidence: ids,
        })
        .nullable(),
      cookies: z.array(
        z.object({
          name: z.string(),
          secure: z.boolean(),
          httpOnly: z.boolean(),
          sameSite: z.string().nullable(),
          issues: z.array(z.string()),
          evidence: ids,
        }),
      ),
      dns: z
        .object({
          host: z.string(),
          mx: z.array(z.object({ exchange: z.string(), priority: z.number() })),
          spf: z.string().nullable(),
          dmarc: z.string().nullable(),
          caa: z.array(z.object({ critical: z.number(), tag: z.string(), value: z.string() })),
          ns: z.array(z.string()),
          evidence: ids,
        })
        .nullable(),
      mixedContent: z.array(z.object({ url: z.string(), evidence: ids })),
    })
    .nullable(),
  vulnerabilities: z.array(
    z.object({
      library: z.string().min(1),
      version: z.string(),
      severity: z.enum(VULNERABILITY_SEVERITIES),
      identifiers: z.array(z.string()),
      summary: z.string().nullable(),
      evidence: ids,
    }),
  ),
  performance: z.object({
    pages: z.array(
      z.object({
        url: z.string(),
        bytes: z.number(),
        requests: z.number(),
        ttfbMs: z.number().nullable(),
        domContentLoadedMs: z.number().nullable(),
        loadMs: z.number().nullable(),
      }),
    ),
    largestResources: z.array(z.object({ url: z.string(), bytes: z.number(), resourceType: z.string() })),
    totalBytes: z.number(),
    totalRequests: z.number(),
    evidence: ids,
  }),
  thirdParties: z.array(
    z.object({
      host: z.string(),
      owner: z.string(),
      category: z.string().nullable(),
      requests: z.number(),
      bytes: z.number(),
      evidence: ids,
    }),
  ),
  evidence: z.array(EvidenceSchema),
});
/** What the report needs of a scan; a full `ScanResult` is one. */
export type ScanInput = z.infer<typeof ScanResultInput>;
