import { NextResponse, type NextRequest } from "next/server";
import { incomingHeaders } from "../../../../server/auth-route";
import { REQUEST_ID_HEADER } from "../../../../server/logger";
import { renewSessionIfNeeded } from "../../../../server/refresh";
import { refuseCrossSite } from "../../../../server/same-origin";
import { clearSessionCookies, REFRESH_COOKIE, writeSessionCookies } from "../../../../server/session";
import { pendingCookieJar, supabaseServerClient, supabaseServerOptions } from "../../../../server/supabase";

const ENDED = { error: { code: "UNAUTHORIZED", message: "Your session has ended; please sign in again" } };

/** Renews the session now (the old refresh token stops working): the local pair, or Supabase's session cookies. */
export async function POST(request: NextRequest) {
  const crossSite = refuseCrossSite(request);
  if (crossSite) return crossSite;
  const incoming = incomingHeaders(request);
  const headers = { [REQUEST_ID_HEADER]: incoming.get(REQUEST_ID_HEADER)!, "cache-control": "no-store" };
  const supabase = supabaseServerOptions();
  if (supabase) {
    const pending = pendingCookieJar(() => request.cookies.getAll());
    const { data } = await supabaseServerClient(supabase, pending.jar).auth.refreshSession();
    const response = data.session
      ? NextResponse.json({ refreshed: true }, { headers })
      : NextResponse.json(ENDED, { status: 401, headers });
    return pending.applyTo(response);
  }
  const renewal = await renewSessionIfNeeded(
    // An absent access token forces the refresh: this endpoint exists to refresh.
    { accessToken: undefined, refreshToken: request.cookies.get(REFRESH_COOKIE)?.value },
    incoming,
  );
  if (renewal.kind !== "renewed") {
    const response = NextResponse.json(ENDED, { status: 401, headers });
    clearSessionCookies(response.cookies);
    return response;
  }
  const response = NextResponse.json({ refreshed: true }, { headers });
  writeSessionCookies(response.cookies, renewal.tokens);
  return response;
}
