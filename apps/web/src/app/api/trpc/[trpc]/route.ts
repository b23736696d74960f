import { NextResponse, type NextRequest } from "next/server";
import { incomingHeaders } from "../../../../server/auth-route";
import { defaultTenant } from "../../../../server/active-tenant";
import { forwardToApi, serverApi } from "../../../../server/api";
import { sessionForRoute } from "../../../../server/request-session";
import { refuseCrossSite } from "../../../../server/same-origin";
import { ACTIVE_TENANT_COOKIE, writeActiveTenantCookie } from "../../../../server/session";

export const dynamic = "force-dynamic";

/**
 * The browser's tRPC endpoint. Callers with an Authorization or x-api-key
 * header (API keys, tools) pass straight through; the web app's own calls
 * are authenticated from the session cookies, refreshed transparently, and
 * scoped to the active tenant cookie unless they name one. Cookie-carried
 * mutations (POST) must come from our own pages.
 */
async function handle(request: NextRequest): Promise<Response> {
  const headers = incomingHeaders(request);
  if (headers.has("authorization") || headers.has("x-api-key")) {
    return forwardToApi(new Request(request.url, withBody(request, headers)));
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    const crossSite = refuseCrossSite(request);
    if (crossSite) return crossSite;
  }

  const session = await sessionForRoute(request, headers);
  if (session.accessToken) headers.set("authorization", `Bearer ${session.accessToken}`);
  const activeTenant =
    request.cookies.get(ACTIVE_TENANT_COOKIE)?.value ?? (await chooseTenant(session.accessToken, headers));
  if (activeTenant && !headers.has("x-tenant-id")) headers.set("x-tenant-id", activeTenant);
  // Cookies were turned into headers above; the API authenticates by header only.
  headers.delete("cookie");

  const apiResponse = await forwardToApi(new Request(request.url, withBody(request, headers)));
  const response = session.settle(new NextResponse(apiResponse.body, apiResponse));
  if (activeTenant && !request.cookies.has(ACTIVE_TENANT_COOKIE))
    writeActiveTenantCookie(response.cookies, activeTenant);
  return response;
}

/**
 * No tenant cookie yet (a Supabase-mode sign-in happens in the browser): the
 * default tenant, remembered in the cookie, so header-less callers such as
 * the progress EventSource work from the first request.
 */
async function chooseTenant(accessToken: string | undefined, headers: Headers): Promise<string | undefined> {
  if (!accessToken || headers.has("x-tenant-id")) return undefined;
  const tenants = await serverApi({ accessToken, incoming: headers })
    .tenant.listMine.query()
    .catch(() => []);
  return defaultTenant(tenants)?.id;
}

function withBody(request: NextRequest, headers: Headers): RequestInit & { duplex?: "half" } {
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  return {
    method: request.method,
    headers,
    ...(hasBody ? { body: request.body, duplex: "half" } : {}),
    signal: request.signal,
  };
}

export { handle as GET, handle as POST };
