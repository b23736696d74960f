import { isIP } from "node:net";
import {
  FINDING_KINDS,
  FINDING_SEVERITIES,
  SCAN_STAGE_VALUES,
  SCAN_STATUSES,
} from "@techscaniq/contracts/scan";
import { z } from "zod";
import { pageOutput } from "../../schemas";

/** The scan area's inputs and outputs: what the scan routers accept and return. */

export const MAX_URL_LENGTH = 2048;
export const MAX_THESIS_LENGTH = 20_000;
export const MAX_REPOSITORIES = 20;

/** Every stage a scan row can name (contracts' stage table, then the report hand-over). */
export const scanStages = SCAN_STAGE_VALUES;

/** A DNS name of at least two labels (or `localhost`), each label 1–63 letters, digits or inner hyphens. */
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

function httpUrl(label: string, { httpsOnly }: { httpsOnly: boolean }) {
  return z
    .string({ error: `${label} must be a text URL` })
    .trim()
    .min(1, `${label} is required`)
    .max(MAX_URL_LENGTH, `${label} is longer than ${MAX_URL_LENGTH} characters`)
    .transform((text, ctx) => {
      // "example.com" means https://example.com/.
      const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`;
      let url: URL;
      try {
        url = new URL(withScheme);
      } catch {
        ctx.addIssue({ code: "custom", message: `${label} is not a valid URL` });
        return z.NEVER;
      }
      const schemes = httpsOnly ? ["https:"] : ["http:", "https:"];
      if (!schemes.includes(url.protocol)) {
        ctx.addIssue({
          code: "custom",
          message: `${label} must use ${httpsOnly ? "https" : "http or https"}, not ${url.protocol.slice(0, -1)}`,
        });
        return z.NEVER;
      }
      if (url.username || url.password) {
        ctx.addIssue({ code: "custom", message: `${label} must not contain a user name or password` });
        return z.NEVER;
      }
      const host = url.hostname.replace(/^\[|\]$/g, "");
      if (!(isIP(host) || host === "localhost" || HOSTNAME.test(host))) {
        ctx.addIssue({
          code: "custom",
          message: `${label} host "${url.hostname}" is not a valid domain name or IP address`,
        });
        return z.NEVER;
      }
      url.hash = "";
      const normalised = url.toString();
      if (normalised.length > MAX_URL_LENGTH) {
        ctx.addIssue({ code: "custom", message: `${label} is longer than ${MAX_URL_LENGTH} characters` });
        return z.NEVER;
      }
      return normalised;
    });
}

/** The site to scan, normalised: http(s), no credentials or fragment, a real host name or IP. */
export const targetUrlSchema = httpUrl("url", { httpsOnly: false });

export const scanOptionsSchema = z
  .object({
    maxPages: z.number().int().min(1).max(200).default(20),
    renderCount: z.number().int().min(0).max(10).default(3),
    maxDepth: z.number().int().min(0).max(10).default(3),
  })
  .strict();
export type ScanOptions = z.output<typeof scanOptionsSchema>;

export const scanIdSchema = z.uuid({ error: "must be a scan id (uuid)" });

export const createScanInput = z
  .object({
    url: targetUrlSchema,
    thesis: z
      .string()
      .trim()
      .max(MAX_THESIS_LENGTH, `thesis is longer than ${MAX_THESIS_LENGTH} characters`)
      .transform((text) => (text === "" ? null : text))
      .nullish(),
    repositories: z
      .array(httpUrl("repository", { httpsOnly: true }))
      .max(MAX_REPOSITORIES, `at most ${MAX_REPOSITORIES} repositories`)
      .default([])
      .transform((urls) => [...new Set(urls)]),
    options: scanOptionsSchema.default({ maxPages: 20, renderCount: 3, maxDepth: 3 }),
  })
  .strict();

export const scanRefInput = z.object({ scanId: scanIdSchema }).strict();

export const listScansInput = z
  .object({
    status: z.array(z.enum(SCAN_STATUSES)).min(1).max(SCAN_STATUSES.length).optional(),
    /** Case-insensitive substring of the target URL or thesis. */
    search: z.string().trim().min(1).max(200).optional(),
    limit: z.number().int().min(1).max(100).default(20),
    /** The `nextCursor` of the previous page. */
    cursor: z.string().max(200).optional(),
  })
  .strict();

export const pageInput = z.object({
  limit: z.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
});

export const listEvidenceInput = pageInput
  .extend({
    scanId: scanIdSchema,
    /** Only the evidence cited by this finding. */
    findingId: z.uuid({ error: "must be a finding id (uuid)" }).optional(),
    kind: z
      .string()
      .regex(/^[a-zA-Z]{2,20}$/, "must be an evidence kind such as header or scriptSrc")
      .optional(),
    /** Only evidence observed on this page URL. */
    pageUrl: z.string().max(MAX_URL_LENGTH).optional(),
  })
  .strict();

export const listFindingsInput = z
  .object({ scanId: scanIdSchema, kind: z.enum(FINDING_KINDS).optional() })
  .strict();

export const screenshotInput = z
  .object({ scanId: scanIdSchema, pageId: z.uuid({ error: "must be a page id (uuid)" }) })
  .strict();

export const progressInput = z
  .object({
    /** Only this scan's events; all of the tenant's scans when absent. */
    scanId: scanIdSchema.optional(),
    /** Resume after this event id (also sent automatically by httpSubscriptionLink on reconnect). */
    lastEventId: z
      .string()
      .regex(/^\d{1,19}$/, "must be an event id")
      .nullish(),
  })
  .strict();

export const scanViewSchema = z.object({
  id: z.uuid(),
  tenantId: z.uuid(),
  createdBy: z.uuid().nullable(),
  targetUrl: z.string(),
  thesis: z.string().nullable(),
  repositories: z.array(z.string()),
  options: z.object({ maxPages: z.number(), renderCount: z.number(), maxDepth: z.number() }),
  status: z.enum(SCAN_STATUSES),
  stage: z.enum(scanStages).nullable(),
  progress: z.number(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  attempts: z.number(),
  retry: z
    .object({ attempt: z.number(), maxAttempts: z.number(), reason: z.string(), nextTryAt: z.string() })
    .nullable(),
  parentScanId: z.uuid().nullable(),
  cancelRequestedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const scanPageSchema = pageOutput(scanViewSchema);

export const deletedScanSchema = z.object({ deleted: z.literal(true) });

export const findingViewSchema = z.object({
  id: z.uuid(),
  kind: z.enum(FINDING_KINDS),
  name: z.string(),
  version: z.string().nullable(),
  category: z.string().nullable(),
  confidence: z.number().nullable(),
  severity: z.enum(FINDING_SEVERITIES).nullable(),
  evidenceIds: z.array(z.string()),
  details: z.unknown(),
});

export const evidenceViewSchema = z.object({
  id: z.string(),
  kind: z.string(),
  collector: z.string(),
  url: z.string(),
  locator: z.string(),
  snippet: z.string(),
  contentHash: z.string(),
  observedAt: z.string(),
  confidence: z.number(),
});

export const evidencePageSchema = pageOutput(evidenceViewSchema);

export const pageViewSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  finalUrl: z.string().nullable(),
  httpStatus: z.number().nullable(),
  bytes: z.number(),
  durationMs: z.number().nullable(),
  rendered: z.boolean(),
  error: z.string().nullable(),
  hasScreenshot: z.boolean(),
});

export const screenshotSchema = z.object({ contentType: z.string(), base64: z.string() });
