import { NextResponse, type NextRequest } from "next/server";
import { incomingHeaders, readJsonObject } from "../../../../server/auth-route";
import { serverApi, toApiFailure } from "../../../../server/api";
import { REQUEST_ID_HEADER } from "../../../../server/logger";
import { sessionForRoute } from "../../../../server/request-session";
import { writeActiveTenantCookie } from "../../../../server/session";
import { refuseCrossSite } from "../../../../server/same-origin";

/** `{ tenantId }` → the API checks membership (tenant.switch); the choice is kept in a cookie and sent as x-tenant-id. */
export async function POST(request: NextRequest) {
  const crossSite = refuseCrossSite(request);
  if (crossSite) return crossSite;
  const body = await readJsonObject(request);
  if (body instanceof Response) return body;
  const incoming = incomingHeaders(request);
  const headers = { [REQUEST_ID_HEADER]: incoming.get(REQUEST_ID_HEADER)!, "cache-control": "no-store" };
  const session = await sessionForRoute(request, incoming);
  try {
    // The API's zod schema validates tenantId and names it when wrong.
    const tenant = await serverApi({ accessToken: session.accessToken, incoming }).tenant.switch.mutate(
      body as { tenantId: string },
    );
    const response = NextResponse.json({ tenant }, { headers });
    writeActiveTenantCookie(response.cookies, tenant.id);
    return session.settle(response);
  } catch (error) {
    const failure = toApiFailure(error);
    return session.settle(NextResponse.json(failure.body, { status: failure.status, headers }));
  }
}
