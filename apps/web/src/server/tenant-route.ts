import { NextResponse, type NextRequest } from "next/server";
import { incomingHeaders } from "./auth-route";
import { isNotVisible, isUnauthorized, serverApi } from "./api";
import { sessionForRoute } from "./request-session";
import { ACTIVE_TENANT_COOKIE } from "./session";

const NOT_FOUND = () =>
  new NextResponse("Not found", {
    status: 404,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });

/**
 * A download route acting as the signed-in user in their active tenant: the
 * API (and RLS behind it) decides what they may read. Anything they may not
 * read is a bare 404, the same as an object that does not exist.
 */
export async function tenantDownload(
  request: NextRequest,
  fetchObject: (api: ReturnType<typeof serverApi>) => Promise<Response>,
): Promise<NextResponse> {
  const headers = incomingHeaders(request);
  const session = await sessionForRoute(request, headers);
  if (!session.accessToken)
    return session.settle(new NextResponse("Sign in to download this", { status: 401 }));
  const api = serverApi({
    accessToken: session.accessToken,
    tenantId: request.cookies.get(ACTIVE_TENANT_COOKIE)?.value ?? null,
    incoming: headers,
  });
  try {
    const response = await fetchObject(api);
    return session.settle(new NextResponse(response.body, response));
  } catch (error) {
    if (isUnauthorized(error))
      return session.settle(new NextResponse("Sign in to download this", { status: 401 }));
    if (isNotVisible(error)) return session.settle(NOT_FOUND());
    throw error;
  }
}
