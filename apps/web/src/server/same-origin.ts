import { NextResponse } from "next/server";
import { REQUEST_ID_HEADER, requestIdFrom } from "./logger";

function refusal(request: Request, status: 403 | 415, message: string): NextResponse {
  return NextResponse.json(
    { error: { code: status === 403 ? "FORBIDDEN" : "BAD_REQUEST", message } },
    { status, headers: { [REQUEST_ID_HEADER]: requestIdFrom(request.headers), "cache-control": "no-store" } },
  );
}

/** The host the browser addressed: Next sets `x-forwarded-host` from `Host` unless a proxy already did. */
function ownHost(headers: Headers): string | null {
  return headers.get("x-forwarded-host")?.split(",")[0]?.trim() || headers.get("host");
}

function isSameOrigin(headers: Headers): boolean {
  // Browsers set Sec-Fetch-Site themselves and page scripts cannot change it.
  const fetchSite = headers.get("sec-fetch-site");
  if (fetchSite) return fetchSite === "same-origin";
  const origin = headers.get("origin");
  if (!origin || origin === "null") return false;
  try {
    return new URL(origin).host === ownHost(headers);
  } catch {
    return false;
  }
}

/**
 * Cookie-authenticated state changes (sign-in, sign-out, refresh, tenant
 * switch, tRPC mutations) must come from our own pages: a same-origin
 * `Sec-Fetch-Site` (or `Origin`) and a JSON body, which another site can
 * only send after a CORS preflight we never answer. A plain form or a
 * `text/plain` fetch from elsewhere is refused before anything happens.
 * Returns the refusal, or null when the request may go on.
 */
export function refuseCrossSite(request: Request): NextResponse | null {
  if (!isSameOrigin(request.headers)) {
    return refusal(request, 403, "Cross-site request refused: this action must come from a TechScanIQ page");
  }
  const mediaType = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json")
    return refusal(request, 415, "The request body must be JSON (content-type: application/json)");
  return null;
}
