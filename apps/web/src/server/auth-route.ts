import { NextResponse, type NextRequest } from "next/server";
import { serverApi, toApiFailure } from "./api";
import { REQUEST_ID_HEADER, requestIdFrom, requestLogger } from "./logger";
import { defaultTenant } from "./active-tenant";
import { writeActiveTenantCookie, writeSessionCookies, type SessionTokens } from "./session";

/** Request JSON for the auth route handlers: a non-object body is the caller's mistake, said plainly. */
export async function readJsonObject(request: NextRequest): Promise<Record<string, unknown> | NextResponse> {
  const body: unknown = await request.json().catch(() => undefined);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return NextResponse.json(
      { error: { code: "BAD_REQUEST", message: "The request body must be a JSON object" } },
      { status: 400, headers: { [REQUEST_ID_HEADER]: requestIdFrom(request.headers) } },
    );
  }
  return body as Record<string, unknown>;
}

/** Headers for server-side API calls made on behalf of this browser request, with one request id for both. */
export function incomingHeaders(request: NextRequest): Headers {
  const headers = new Headers(request.headers);
  headers.set(REQUEST_ID_HEADER, requestIdFrom(request.headers));
  return headers;
}

interface AuthSession extends SessionTokens {
  user: { id: string; email: string; name: string | null };
}

/**
 * Runs a sign-in-like API call and turns its session into cookies. The
 * tokens never reach browser JavaScript; the browser only learns who it is.
 * The active tenant is set too (last used, else the first): the progress
 * stream (EventSource, no headers) relies on the cookie to name it.
 */
export async function respondWithSession(
  request: NextRequest,
  obtain: (api: ReturnType<typeof serverApi>) => Promise<AuthSession>,
): Promise<NextResponse> {
  const incoming = incomingHeaders(request);
  const requestId = incoming.get(REQUEST_ID_HEADER)!;
  try {
    const session = await obtain(serverApi({ incoming }));
    const tenant = defaultTenant(
      await serverApi({ accessToken: session.accessToken, incoming }).tenant.listMine.query(),
    );
    const response = NextResponse.json(
      { user: session.user },
      { headers: { [REQUEST_ID_HEADER]: requestId, "cache-control": "no-store" } },
    );
    writeSessionCookies(response.cookies, session);
    if (tenant) writeActiveTenantCookie(response.cookies, tenant.id);
    requestLogger({ requestId, userId: session.user.id, tenantId: null }).info(
      { path: request.nextUrl.pathname },
      "session issued",
    );
    return response;
  } catch (error) {
    const failure = toApiFailure(error);
    return NextResponse.json(failure.body, {
      status: failure.status,
      headers: { [REQUEST_ID_HEADER]: requestId, "cache-control": "no-store" },
    });
  }
}
