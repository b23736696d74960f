import { NextResponse, type NextRequest } from "next/server";
import { REQUEST_ID_HEADER, requestIdFrom } from "./server/logger";
import { renewSessionIfNeeded } from "./server/refresh";
import { ACCESS_COOKIE, clearSessionCookies, REFRESH_COOKIE, writeSessionCookies } from "./server/session";

const PUBLIC_PAGES = new Set(["/sign-in", "/sign-up"]);

/**
 * Before every page: give the request an id, refresh an expiring session
 * (so server components see a valid access token), and send signed-out
 * visitors of app pages to sign-in. Whether a token is *valid* is the API's
 * call; pages that need a user verify it through the API.
 */
export async function proxy(request: NextRequest) {
  const requestId = requestIdFrom(request.headers);
  request.headers.set(REQUEST_ID_HEADER, requestId);
  const renewal = await renewSessionIfNeeded(
    { accessToken: request.cookies.get(ACCESS_COOKIE)?.value, refreshToken: request.cookies.get(REFRESH_COOKIE)?.value },
    request.headers,
  ).catch(() => ({ kind: "current" as const, accessToken: request.cookies.get(ACCESS_COOKIE)?.value }));

  if (renewal.kind === "renewed") {
    // Server components read cookies from the request: hand them the new pair.
    request.cookies.set(ACCESS_COOKIE, renewal.tokens.accessToken);
    request.cookies.set(REFRESH_COOKIE, renewal.tokens.refreshToken);
  } else if (renewal.kind === "ended") {
    request.cookies.delete(ACCESS_COOKIE);
    request.cookies.delete(REFRESH_COOKIE);
  }

  const hasSession = renewal.kind !== "ended" && Boolean(renewal.accessToken);
  const path = request.nextUrl.pathname;
  let response: NextResponse;
  if (!hasSession && !PUBLIC_PAGES.has(path)) {
    const signIn = new URL("/sign-in", request.url);
    if (path !== "/") signIn.searchParams.set("next", `${path}${request.nextUrl.search}`);
    response = NextResponse.redirect(signIn);
  } else {
    response = NextResponse.next({ request: { headers: request.headers } });
  }
  if (renewal.kind === "renewed") writeSessionCookies(response.cookies, renewal.tokens);
  if (renewal.kind === "ended") clearSessionCookies(response.cookies);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

export const config = {
  // Pages only: API routes authenticate themselves, static assets need nothing.
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
