import { z } from "zod";
import { ScanResultInput } from "./result";

/**
 * The `details` of each finding kind as the scan pipeline stores them: the
 * scanner's own objects. The report reads the fields `ScanResultInput` names;
 * the scan page also shows what only the details carry (a technology's
 * website, an advisory's links, bytes and requests by resource type). Read
 * them with `detailsAs`, so an unexpected shape degrades to "no details".
 */

const security = ScanResultInput.shape.security.unwrap().shape;
const performance = ScanResultInput.shape.performance;
const byType = z.record(z.string(), z.number());

export const TechnologyDetails = ScanResultInput.shape.technologies.element.extend({
  website: z.string().optional(),
});
export const SecurityTestDetails = security.tests.element;
export const CookieDetails = security.cookies.element;
export const TlsDetails = security.tls.unwrap();
export const MixedContentDetails = security.mixedContent.element;
export const VulnerabilityDetails = ScanResultInput.shape.vulnerabilities.element.extend({
  /** Links to the advisory. */
  info: z.array(z.string()).default([]),
});
export const PerformanceDetails = performance.extend({
  pages: z.array(performance.shape.pages.element.extend({ bytesByType: byType, requestsByType: byType })),
});
export const ThirdPartyDetails = ScanResultInput.shape.thirdParties.element;
