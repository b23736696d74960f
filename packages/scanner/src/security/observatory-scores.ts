/**
 * The MDN HTTP Observatory's score table (@mdn/mdn-http-observatory 1.4.8,
 * algorithm version 4): every result identifier with its score modifier, and
 * the letter-grade chart.
 */
export const OBSERVATORY_SCORES: Record<string, { modifier: number; description: string }> = {
  // content-security-policy
  "csp-implemented-with-no-unsafe-default-src-none": {
    modifier: 10,
    description: "CSP implemented with default-src 'none' and no 'unsafe'.",
  },
  "csp-implemented-with-no-unsafe": {
    modifier: 5,
    description: "CSP implemented without 'unsafe-inline' or 'unsafe-eval'.",
  },
  "csp-implemented-with-unsafe-inline-in-style-src-only": {
    modifier: 0,
    description: "CSP implemented with unsafe sources inside style-src only.",
  },
  "csp-implemented-with-insecure-scheme-in-passive-content-only": {
    modifier: -10,
    description: "CSP implemented, but a secure site allows images or media over HTTP.",
  },
  "csp-implemented-with-unsafe-eval": {
    modifier: -10,
    description: "CSP implemented, but allows 'unsafe-eval'.",
  },
  "csp-implemented-with-unsafe-inline": {
    modifier: -20,
    description:
      "CSP implemented unsafely: 'unsafe-inline' or data: in script-src, overly broad script-src/object-src, or those left unrestricted.",
  },
  "csp-implemented-with-insecure-scheme": {
    modifier: -20,
    description: "CSP implemented, but a secure site allows resources over HTTP.",
  },
  "csp-implemented-but-duplicate-directives": {
    modifier: 0,
    description: "CSP implemented, but report-uri or report-to is given more than once.",
  },
  "csp-header-invalid": { modifier: -25, description: "CSP header cannot be parsed successfully." },
  "csp-not-implemented": { modifier: -25, description: "CSP header not implemented." },
  "csp-not-implemented-but-reporting-enabled": {
    modifier: -25,
    description: "CSP not enforced; only Content-Security-Policy-Report-Only is set.",
  },
  // cookies
  "cookies-secure-with-httponly-sessions-and-samesite": {
    modifier: 5,
    description: "All cookies use Secure, session cookies use HttpOnly, and all use SameSite.",
  },
  "cookies-secure-with-httponly-sessions": {
    modifier: 0,
    description: "All cookies use Secure and session cookies use HttpOnly.",
  },
  "cookies-not-found": { modifier: 0, description: "No cookies detected." },
  "cookies-without-secure-flag-but-protected-by-hsts": {
    modifier: -5,
    description: "Cookies set without Secure, but HSTS prevents transmission over HTTP.",
  },
  "cookies-session-without-secure-flag-but-protected-by-hsts": {
    modifier: -10,
    description: "Session cookie set without Secure, but HSTS prevents transmission over HTTP.",
  },
  "cookies-without-secure-flag": {
    modifier: -20,
    description: "Cookies set without the Secure flag or over HTTP.",
  },
  "cookies-samesite-flag-invalid": {
    modifier: -20,
    description: "Cookies use SameSite with a value other than Strict, Lax or None, or None without Secure.",
  },
  "cookies-anticsrf-without-samesite-flag": {
    modifier: -20,
    description: "Anti-CSRF token set without the SameSite flag.",
  },
  "cookies-session-without-httponly-flag": {
    modifier: -30,
    description: "Session cookie set without the HttpOnly flag.",
  },
  "cookies-session-without-secure-flag": {
    modifier: -40,
    description: "Session cookie set without the Secure flag or over HTTP.",
  },
  // cross-origin-resource-sharing
  "cross-origin-resource-sharing-not-implemented": {
    modifier: 0,
    description: "Content is not visible via cross-origin resource sharing (CORS).",
  },
  "cross-origin-resource-sharing-implemented-with-public-access": {
    modifier: 0,
    description: "Public content is visible via Access-Control-Allow-Origin: *.",
  },
  "cross-origin-resource-sharing-implemented-with-restricted-access": {
    modifier: 0,
    description: "Content is visible via CORS, restricted to specific origins.",
  },
  "cross-origin-resource-sharing-implemented-with-universal-access": {
    modifier: -50,
    description: "Content is visible via CORS to any origin, with credentials.",
  },
  // redirection
  "redirection-all-redirects-preloaded": {
    modifier: 0,
    description: "All hosts redirected to are in the HSTS preload list.",
  },
  "redirection-to-https": {
    modifier: 0,
    description: "Initial redirection is to HTTPS on the same host; final destination is HTTPS.",
  },
  "redirection-not-needed-no-http": {
    modifier: 0,
    description: "Not available over HTTP, so no redirection is needed.",
  },
  "redirection-off-host-from-http": {
    modifier: -5,
    description: "Initial redirection from HTTP to HTTPS is to a different host, preventing HSTS.",
  },
  "redirection-not-to-https-on-initial-redirection": {
    modifier: -10,
    description: "Redirects to HTTPS eventually, but the first redirection is to another HTTP URL.",
  },
  "redirection-not-to-https": {
    modifier: -20,
    description: "Redirects, but the final destination is not an HTTPS URL.",
  },
  "redirection-missing": { modifier: -20, description: "Does not redirect to an HTTPS site." },
  "redirection-invalid-cert": {
    modifier: -20,
    description: "Invalid certificate chain encountered during redirection.",
  },
  // referrer-policy
  "referrer-policy-private": {
    modifier: 5,
    description:
      "Referrer-Policy set to no-referrer, same-origin, strict-origin or strict-origin-when-cross-origin.",
  },
  "referrer-policy-not-implemented": { modifier: 0, description: "Referrer-Policy header not implemented." },
  "referrer-policy-unsafe": {
    modifier: -5,
    description:
      "Referrer-Policy set unsafely to origin, origin-when-cross-origin, unsafe-url or no-referrer-when-downgrade.",
  },
  "referrer-policy-header-invalid": {
    modifier: -5,
    description: "Referrer-Policy header cannot be recognized.",
  },
  // strict-transport-security
  "hsts-preloaded": { modifier: 5, description: "Preloaded via the HSTS preloading process." },
  "hsts-implemented-max-age-at-least-six-months": {
    modifier: 0,
    description: "Strict-Transport-Security set to a minimum of six months.",
  },
  "hsts-implemented-max-age-less-than-six-months": {
    modifier: -10,
    description: "Strict-Transport-Security set to less than six months.",
  },
  "hsts-not-implemented": { modifier: -20, description: "Strict-Transport-Security header not implemented." },
  "hsts-header-invalid": {
    modifier: -20,
    description: "Strict-Transport-Security header cannot be recognized.",
  },
  "hsts-not-implemented-no-https": {
    modifier: -20,
    description: "Strict-Transport-Security cannot be set for sites not available over HTTPS.",
  },
  "hsts-invalid-cert": {
    modifier: -20,
    description: "Strict-Transport-Security cannot be set: the site has an invalid certificate chain.",
  },
  // subresource-integrity
  "sri-implemented-and-all-scripts-loaded-securely": {
    modifier: 5,
    description: "SRI implemented and all scripts loaded from a similar origin.",
  },
  "sri-implemented-and-external-scripts-loaded-securely": {
    modifier: 5,
    description: "SRI implemented and all scripts loaded securely.",
  },
  "sri-not-implemented-response-not-html": {
    modifier: 0,
    description: "SRI is only needed for HTML resources.",
  },
  "sri-not-implemented-but-no-scripts-loaded": {
    modifier: 0,
    description: "SRI not needed: the page contains no script tags.",
  },
  "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": {
    modifier: 0,
    description: "SRI not implemented, but all scripts are loaded from a similar origin.",
  },
  "sri-not-implemented-but-external-scripts-loaded-securely": {
    modifier: -5,
    description: "SRI not implemented, but all external scripts are loaded over HTTPS.",
  },
  "sri-implemented-but-external-scripts-not-loaded-securely": {
    modifier: -20,
    description: "SRI implemented, but external scripts are loaded over HTTP or protocol-relative URLs.",
  },
  "sri-not-implemented-and-external-scripts-not-loaded-securely": {
    modifier: -50,
    description: "SRI not implemented, and external scripts are loaded over HTTP or protocol-relative URLs.",
  },
  // x-content-type-options
  "x-content-type-options-nosniff": { modifier: 0, description: "X-Content-Type-Options set to nosniff." },
  "x-content-type-options-not-implemented": {
    modifier: -5,
    description: "X-Content-Type-Options header not implemented.",
  },
  "x-content-type-options-header-invalid": {
    modifier: -5,
    description: "X-Content-Type-Options header cannot be recognized.",
  },
  // x-frame-options
  "x-frame-options-implemented-via-csp": {
    modifier: 5,
    description: "Framing restricted by the CSP frame-ancestors directive.",
  },
  "x-frame-options-sameorigin-or-deny": {
    modifier: 0,
    description: "X-Frame-Options set to SAMEORIGIN or DENY.",
  },
  "x-frame-options-allow-from-origin": {
    modifier: 0,
    description: "X-Frame-Options uses the ALLOW-FROM directive.",
  },
  "x-frame-options-not-implemented": {
    modifier: -20,
    description: "X-Frame-Options header not implemented.",
  },
  "x-frame-options-header-invalid": {
    modifier: -20,
    description: "X-Frame-Options header cannot be recognized.",
  },
  // cross-origin-resource-policy
  "corp-header-invalid": {
    modifier: -5,
    description: "Cross-Origin-Resource-Policy header cannot be recognized.",
  },
  "corp-implemented-with-cross-origin": {
    modifier: 0,
    description: "CORP implemented, but allows cross-origin use.",
  },
  "corp-implemented-with-same-origin": {
    modifier: 10,
    description: "CORP implemented, prevents leaks into cross-origin contexts.",
  },
  "corp-implemented-with-same-site": {
    modifier: 10,
    description: "CORP implemented, prevents leaks into cross-site contexts.",
  },
  "corp-not-implemented": { modifier: 0, description: "CORP not implemented (defaults to cross-origin)." },
  // generic: the Observatory's SRI test when its HTML parser throws (JSDOM, like cheerio, parses any string)
  "html-not-parseable": { modifier: -20, description: "Claims to be HTML, but cannot be parsed." },
};

/** Bonus points count only when the score without them is at least this (an A). */
export const MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90;

const GRADE_CHART: [number, string][] = [
  [100, "A+"],
  [90, "A"],
  [85, "A-"],
  [80, "B+"],
  [70, "B"],
  [65, "B-"],
  [60, "C+"],
  [50, "C"],
  [45, "C-"],
  [40, "D+"],
  [30, "D"],
  [25, "D-"],
  [0, "F"],
];

/** The Observatory's final score (never below 0) and letter grade. */
export function gradeForScore(rawScore: number): { score: number; grade: string } {
  const score = Math.max(rawScore, 0);
  const grade = GRADE_CHART.find(([min]) => score >= min)![1];
  return { score, grade };
}

/**
 * Baseline 100 plus every penalty; bonuses are added only when the penalised
 * score is already an A.
 */
export function scoreModifiers(modifiers: number[]): number {
  const withBonus = 100 + modifiers.reduce((a, b) => a + b, 0);
  const penalised = 100 + modifiers.filter((m) => m < 0).reduce((a, b) => a + b, 0);
  return penalised >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withBonus : penalised;
}
