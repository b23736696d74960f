import { createServerClient, type CookieOptions } from "@supabase/ssr";
import { isAuthRetryableFetchError, type SupabaseClient } from "@supabase/supabase-js";
import { webEnvFromProcess, type SupabasePublicConfig } from "../env";

/**
 * Supabase mode on the server: the session lives in `@supabase/ssr`'s
 * cookies (`sb-<ref>-auth-token`, chunked), written by the browser client at
 * sign-in and renewed here. Pages, route handlers and the proxy read the
 * access token from them and hand it to the API as a Bearer token; the API
 * verifies it against the project's JWKS, so nothing here trusts it.
 */

export interface CookieToSet {
  name: string;
  value: string;
  options: CookieOptions;
}

export interface SupabaseCookieJar {
  getAll(): { name: string; value: string }[];
  /** Renewed or removed session cookies, plus the no-store headers a response carrying them must have. */
  setAll(cookies: CookieToSet[], headers: Record<string, string>): void;
}

export interface SupabaseServerOptions extends SupabasePublicConfig {
  /** `Secure` on the cookies the server writes (off only for plain-http production builds in e2e). */
  secureCookies: boolean;
}

/** The Supabase settings from the web env, or null in local auth mode. */
export function supabaseServerOptions(): SupabaseServerOptions | null {
  const env = webEnvFromProcess();
  return env.supabase ? { ...env.supabase, secureCookies: env.sessionCookieSecure } : null;
}

/** One per request: `@supabase/ssr` delivers its cache headers with the first cookie write only. */
export function supabaseServerClient(options: SupabaseServerOptions, jar: SupabaseCookieJar): SupabaseClient {
  return createServerClient(options.url, options.anonKey, {
    cookies: { getAll: () => jar.getAll(), setAll: (cookies, headers) => jar.setAll(cookies, headers) },
    cookieOptions: { path: "/", sameSite: "lax", secure: options.secureCookies },
  });
}

/**
 * The session's access token, renewed through Supabase Auth (rotating the
 * refresh token, new cookies to `jar.setAll`) when it has expired or is about
 * to. Null when nobody is signed in or Supabase refused the refresh token.
 * Supabase being unreachable is thrown, not treated as signed out.
 */
export async function supabaseAccessToken(
  options: SupabaseServerOptions,
  jar: SupabaseCookieJar,
): Promise<string | null> {
  const { data, error } = await supabaseServerClient(options, jar).auth.getSession();
  if (error && isAuthRetryableFetchError(error)) throw error;
  return data.session?.access_token ?? null;
}

/** Collects the cookie writes of one request, to copy onto whichever response it ends with. */
export function pendingCookieJar(read: () => { name: string; value: string }[]) {
  const cookies: CookieToSet[] = [];
  const headers: Record<string, string> = {};
  const jar: SupabaseCookieJar = {
    getAll: read,
    setAll(written, extraHeaders) {
      cookies.push(...written);
      Object.assign(headers, extraHeaders);
    },
  };
  return {
    jar,
    /** Writes the collected cookies and headers onto a response. */
    applyTo<
      R extends {
        cookies: { set(name: string, value: string, options: CookieOptions): unknown };
        headers: Headers;
      },
    >(response: R): R {
      for (const cookie of cookies) response.cookies.set(cookie.name, cookie.value, cookie.options);
      for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
      return response;
    },
  };
}

/** `@supabase/ssr`'s session cookie and its chunks: `sb-<ref>-auth-token`, `…-auth-token.0`, `.1`, … */
const SESSION_COOKIE_PATTERN = /^sb-.+-auth-token(\.\d+)?$/;

/** Expires every Supabase session cookie the browser sent, whatever Supabase Auth answered at sign-out. */
export function expireSupabaseSessionCookies(
  sent: { name: string }[],
  cookies: { set(name: string, value: string, options: CookieOptions): unknown },
): void {
  for (const { name } of sent) {
    if (SESSION_COOKIE_PATTERN.test(name)) cookies.set(name, "", { path: "/", maxAge: 0 });
  }
}
