import { z } from "zod";

/**
 * The `details` of each finding kind as the worker stores them (the scanner's
 * result types). Read through zod so an unexpected shape degrades to "no
 * details" instead of a broken page.
 */

export const technologyDetails = z.object({
  categories: z.array(z.string()).default([]),
  website: z.string().optional(),
});

export const securityTestDetails = z.object({
  name: z.string(),
  pass: z.boolean(),
  scoreModifier: z.number(),
  result: z.string(),
  description: z.string(),
});

export const cookieDetails = z.object({
  name: z.string(),
  secure: z.boolean(),
  httpOnly: z.boolean(),
  sameSite: z.string().nullable(),
  issues: z.array(z.string()),
});

export const tlsDetails = z.object({
  host: z.string(),
  protocol: z.string().nullable(),
  cipher: z.string().nullable(),
  issuer: z.string().nullable(),
  subject: z.string().nullable(),
  validFrom: z.string().nullable(),
  validTo: z.string().nullable(),
  daysRemaining: z.number().nullable(),
  authorized: z.boolean(),
  authorizationError: z.string().nullable(),
});

export const vulnerabilityDetails = z.object({
  identifiers: z.array(z.string()).default([]),
  summary: z.string().nullable().default(null),
  info: z.array(z.string()).default([]),
});

export const performanceDetails = z.object({
  pages: z.array(
    z.object({
      url: z.string(),
      bytes: z.number(),
      requests: z.number(),
      bytesByType: z.record(z.string(), z.number()),
      requestsByType: z.record(z.string(), z.number()),
      ttfbMs: z.number().nullable(),
      domContentLoadedMs: z.number().nullable(),
      loadMs: z.number().nullable(),
    }),
  ),
  largestResources: z.array(z.object({ url: z.string(), bytes: z.number(), resourceType: z.string() })),
  totalBytes: z.number(),
  totalRequests: z.number(),
});

export const thirdPartyDetails = z.object({
  host: z.string(),
  owner: z.string(),
  category: z.string().nullable(),
  requests: z.number(),
  bytes: z.number(),
});

export { detailsAs as parseDetails } from "@techscaniq/contracts/scan";
