import { NextResponse, type NextRequest } from "next/server";
import { incomingHeaders } from "../../../../server/auth-route";
import { serverApi } from "../../../../server/api";
import { REQUEST_ID_HEADER } from "../../../../server/logger";
import { renewSessionIfNeeded } from "../../../../server/refresh";
import { refuseCrossSite } from "../../../../server/same-origin";
import { ACCESS_COOKIE, clearSessionCookies, REFRESH_COOKIE } from "../../../../server/session";
import {
  expireSupabaseSessionCookies,
  pendingCookieJar,
  supabaseServerClient,
  supabaseServerOptions,
} from "../../../../server/supabase";

/** Local mode: revoke the session in the API, so its tokens stop working everywhere. */
async function revokeLocalSession(request: NextRequest, incoming: Headers): Promise<void> {
  const renewal = await renewSessionIfNeeded(
    {
      accessToken: request.cookies.get(ACCESS_COOKIE)?.value,
      refreshToken: request.cookies.get(REFRESH_COOKIE)?.value,
    },
    incoming,
  ).catch(() => ({ kind: "ended" as const }));
  const accessToken = renewal.kind === "ended" ? undefined : renewal.accessToken;
  if (accessToken) {
    // Already revoked or expired is as good as signed out. `{}`: an input-less in-process
    // mutation arrives with an empty JSON body, which the API refused, so nothing was revoked.
    await serverApi({ accessToken, incoming })
      .auth.signOut.mutate({})
      .catch(() => undefined);
  }
}

/**
 * Signs out server-side (the API's revocation list locally, Supabase Auth's
 * logout in Supabase mode) and clears the cookies; the page then goes to
 * sign-in. A same-origin JSON POST only, so another site cannot sign a
 * victim out.
 */
export async function POST(request: NextRequest) {
  const crossSite = refuseCrossSite(request);
  if (crossSite) return crossSite;
  const incoming = incomingHeaders(request);
  const response = NextResponse.json(
    { signedOut: true },
    { headers: { [REQUEST_ID_HEADER]: incoming.get(REQUEST_ID_HEADER)!, "cache-control": "no-store" } },
  );
  const supabase = supabaseServerOptions();
  if (supabase) {
    const pending = pendingCookieJar(() => request.cookies.getAll());
    // Supabase unreachable or the session already gone: the cookies are cleared below either way.
    await supabaseServerClient(supabase, pending.jar)
      .auth.signOut()
      .catch(() => undefined);
    pending.applyTo(response);
    expireSupabaseSessionCookies(request.cookies.getAll(), response.cookies);
  } else {
    await revokeLocalSession(request, incoming);
  }
  clearSessionCookies(response.cookies);
  return response;
}
