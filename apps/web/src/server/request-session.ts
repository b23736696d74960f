import type { NextRequest, NextResponse } from "next/server";
import { renewSessionIfNeeded } from "./refresh";
import { ACCESS_COOKIE, clearSessionCookies, REFRESH_COOKIE, writeSessionCookies } from "./session";

/**
 * The access token for a route handler's request, refreshed when needed.
 * `settle` writes the renewed (or cleared) cookies onto the handler's response.
 */
export async function sessionForRoute(request: NextRequest, incoming: Headers) {
  const renewal = await renewSessionIfNeeded(
    { accessToken: request.cookies.get(ACCESS_COOKIE)?.value, refreshToken: request.cookies.get(REFRESH_COOKIE)?.value },
    incoming,
  );
  return {
    accessToken: renewal.kind === "ended" ? undefined : renewal.accessToken,
    settle(response: NextResponse): NextResponse {
      if (renewal.kind === "renewed") writeSessionCookies(response.cookies, renewal.tokens);
      if (renewal.kind === "ended") clearSessionCookies(response.cookies);
      return response;
    },
  };
}
