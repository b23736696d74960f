import { NextResponse, type NextRequest } from "next/server";
import { incomingHeaders } from "../../../../server/auth-route";
import { REQUEST_ID_HEADER } from "../../../../server/logger";
import { renewSessionIfNeeded } from "../../../../server/refresh";
import { clearSessionCookies, REFRESH_COOKIE, writeSessionCookies } from "../../../../server/session";

/** Trades the refresh cookie for a new token pair now (the old refresh token stops working). */
export async function POST(request: NextRequest) {
  const incoming = incomingHeaders(request);
  const headers = { [REQUEST_ID_HEADER]: incoming.get(REQUEST_ID_HEADER)!, "cache-control": "no-store" };
  const renewal = await renewSessionIfNeeded(
    // An absent access token forces the refresh: this endpoint exists to refresh.
    { accessToken: undefined, refreshToken: request.cookies.get(REFRESH_COOKIE)?.value },
    incoming,
  );
  if (renewal.kind !== "renewed") {
    const response = NextResponse.json(
      { error: { code: "UNAUTHORIZED", message: "Your session has ended; please sign in again" } },
      { status: 401, headers },
    );
    clearSessionCookies(response.cookies);
    return response;
  }
  const response = NextResponse.json({ refreshed: true }, { headers });
  writeSessionCookies(response.cookies, renewal.tokens);
  return response;
}
