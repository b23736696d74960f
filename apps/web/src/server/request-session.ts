import type { NextRequest, NextResponse } from "next/server";
import { renewSessionIfNeeded } from "./refresh";
import { ACCESS_COOKIE, clearSessionCookies, REFRESH_COOKIE, writeSessionCookies } from "./session";
import { pendingCookieJar, supabaseAccessToken, supabaseServerOptions } from "./supabase";

export interface RouteSession {
  accessToken: string | undefined;
  /** Writes the renewed (or cleared) session cookies onto the handler's response. */
  settle(response: NextResponse): NextResponse;
}

/**
 * The access token for a route handler's request, refreshed when needed:
 * Supabase's session cookies in Supabase mode, the local token pair otherwise.
 */
export async function sessionForRoute(request: NextRequest, incoming: Headers): Promise<RouteSession> {
  const supabase = supabaseServerOptions();
  if (supabase) {
    const pending = pendingCookieJar(() => request.cookies.getAll());
    const accessToken = await supabaseAccessToken(supabase, pending.jar);
    return { accessToken: accessToken ?? undefined, settle: (response) => pending.applyTo(response) };
  }
  const renewal = await renewSessionIfNeeded(
    {
      accessToken: request.cookies.get(ACCESS_COOKIE)?.value,
      refreshToken: request.cookies.get(REFRESH_COOKIE)?.value,
    },
    incoming,
  );
  return {
    accessToken: renewal.kind === "ended" ? undefined : renewal.accessToken,
    settle(response) {
      if (renewal.kind === "renewed") writeSessionCookies(response.cookies, renewal.tokens);
      if (renewal.kind === "ended") clearSessionCookies(response.cookies);
      return response;
    },
  };
}
