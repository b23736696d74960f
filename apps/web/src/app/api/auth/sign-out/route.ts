import { NextResponse, type NextRequest } from "next/server";
import { incomingHeaders } from "../../../../server/auth-route";
import { serverApi } from "../../../../server/api";
import { REQUEST_ID_HEADER } from "../../../../server/logger";
import { renewSessionIfNeeded } from "../../../../server/refresh";
import { ACCESS_COOKIE, clearSessionCookies, REFRESH_COOKIE } from "../../../../server/session";
import { expireSupabaseSessionCookies, pendingCookieJar, supabaseServerClient, supabaseServerOptions } from "../../../../server/supabase";

/** Local mode: revoke the session in the API, so its tokens stop working everywhere. */
async function revokeLocalSession(request: NextRequest, incoming: Headers): Promise<void> {
  const renewal = await renewSessionIfNeeded(
    { accessToken: request.cookies.get(ACCESS_COOKIE)?.value, refreshToken: request.cookies.get(REFRESH_COOKIE)?.value },
    incoming,
  ).catch(() => ({ kind: "ended" as const }));
  const accessToken = renewal.kind === "ended" ? undefined : renewal.accessToken;
  if (accessToken) {
    // Already revoked or expired is as good as signed out.
    await serverApi({ accessToken, incoming }).auth.signOut.mutate().catch(() => undefined);
  }
}

/**
 * Signs out server-side (the API's revocation list locally, Supabase Auth's
 * logout in Supabase mode), clears the cookies and sends the browser to the
 * sign-in page. A plain form POST, so it works without JavaScript;
 * SameSite=Lax keeps other sites out.
 */
export async function POST(request: NextRequest) {
  const incoming = incomingHeaders(request);
  const response = NextResponse.redirect(new URL("/sign-in", request.url), 303);
  response.headers.set(REQUEST_ID_HEADER, incoming.get(REQUEST_ID_HEADER)!);
  const supabase = supabaseServerOptions();
  if (supabase) {
    const pending = pendingCookieJar(() => request.cookies.getAll());
    // Supabase unreachable or the session already gone: the cookies are cleared below either way.
    await supabaseServerClient(supabase, pending.jar).auth.signOut().catch(() => undefined);
    pending.applyTo(response);
    expireSupabaseSessionCookies(request.cookies.getAll(), response.cookies);
  } else {
    await revokeLocalSession(request, incoming);
  }
  clearSessionCookies(response.cookies);
  return response;
}
