import { NextResponse, type NextRequest } from "next/server";
import { REQUEST_ID_HEADER, requestIdFrom } from "./server/logger";
import { renewSessionIfNeeded } from "./server/refresh";
import { ACCESS_COOKIE, clearSessionCookies, REFRESH_COOKIE, writeSessionCookies } from "./server/session";
import {
  pendingCookieJar,
  supabaseServerClient,
  supabaseServerOptions,
  type SupabaseServerOptions,
} from "./server/supabase";

const PUBLIC_PAGES = new Set(["/sign-in", "/sign-up"]);

interface ProxySession {
  hasSession: boolean;
  /** Writes renewed (or cleared) session cookies onto the response. */
  settle(response: NextResponse): void;
}

/** Local mode: renew the token pair through the API when the access token is about to expire. */
async function localSession(request: NextRequest): Promise<ProxySession> {
  const renewal = await renewSessionIfNeeded(
    {
      accessToken: request.cookies.get(ACCESS_COOKIE)?.value,
      refreshToken: request.cookies.get(REFRESH_COOKIE)?.value,
    },
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
  return {
    hasSession: renewal.kind !== "ended" && Boolean(renewal.accessToken),
    settle(response) {
      if (renewal.kind === "renewed") writeSessionCookies(response.cookies, renewal.tokens);
      if (renewal.kind === "ended") clearSessionCookies(response.cookies);
    },
  };
}

/**
 * Supabase mode, `@supabase/ssr`'s proxy pattern: `getClaims()` renews an
 * expiring session (rotating its refresh token) and checks the access
 * token's signature against the project's JWKS; renewed cookies go to the
 * request (for server components) and to the response (for the browser).
 */
async function supabaseSession(request: NextRequest, options: SupabaseServerOptions): Promise<ProxySession> {
  const pending = pendingCookieJar(() => request.cookies.getAll());
  const { data } = await supabaseServerClient(options, {
    getAll: pending.jar.getAll,
    setAll(cookies, headers) {
      for (const cookie of cookies) request.cookies.set(cookie.name, cookie.value);
      pending.jar.setAll(cookies, headers);
    },
  }).auth.getClaims();
  return { hasSession: Boolean(data?.claims), settle: (response) => void pending.applyTo(response) };
}

/**
 * Before every page: give the request an id, refresh an expiring session
 * (so server components see a valid access token), and send signed-out
 * visitors of app pages to sign-in. Whether a token is *valid* is the API's
 * call; pages that need a user verify it through the API.
 */
export async function proxy(request: NextRequest) {
  const requestId = requestIdFrom(request.headers);
  request.headers.set(REQUEST_ID_HEADER, requestId);
  const supabase = supabaseServerOptions();
  const session = supabase ? await supabaseSession(request, supabase) : await localSession(request);

  const path = request.nextUrl.pathname;
  let response: NextResponse;
  if (!session.hasSession && !PUBLIC_PAGES.has(path)) {
    const signIn = new URL("/sign-in", request.url);
    if (path !== "/") signIn.searchParams.set("next", `${path}${request.nextUrl.search}`);
    response = NextResponse.redirect(signIn);
  } else {
    response = NextResponse.next({ request: { headers: request.headers } });
  }
  session.settle(response);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

export const config = {
  // Pages only: API routes authenticate themselves, static assets need nothing.
  matcher: ["/((?!api/|_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
