import { NextResponse, type NextRequest } from "next/server";
import { incomingHeaders } from "../../../../server/auth-route";
import { serverApi } from "../../../../server/api";
import { REQUEST_ID_HEADER } from "../../../../server/logger";
import { renewSessionIfNeeded } from "../../../../server/refresh";
import { ACCESS_COOKIE, clearSessionCookies, REFRESH_COOKIE } from "../../../../server/session";

/**
 * Revokes the session server-side (so its tokens stop working everywhere),
 * clears the cookies and sends the browser to the sign-in page. A plain form
 * POST, so it works without JavaScript; SameSite=Lax keeps other sites out.
 */
export async function POST(request: NextRequest) {
  const incoming = incomingHeaders(request);
  const renewal = await renewSessionIfNeeded(
    { accessToken: request.cookies.get(ACCESS_COOKIE)?.value, refreshToken: request.cookies.get(REFRESH_COOKIE)?.value },
    incoming,
  ).catch(() => ({ kind: "ended" as const }));
  const accessToken = renewal.kind === "ended" ? undefined : renewal.accessToken;
  if (accessToken) {
    // Already revoked or expired is as good as signed out.
    await serverApi({ accessToken, incoming }).auth.signOut.mutate().catch(() => undefined);
  }
  const response = NextResponse.redirect(new URL("/sign-in", request.url), 303);
  response.headers.set(REQUEST_ID_HEADER, incoming.get(REQUEST_ID_HEADER)!);
  clearSessionCookies(response.cookies);
  return response;
}
