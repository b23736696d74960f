import { NextResponse } from "next/server";
import { REQUEST_ID_HEADER, requestIdFrom } from "./logger";

/** JSON that must never be cached (health, auth), with the request id echoed. */
export function jsonResponse(request: Request, body: unknown, status = 200): NextResponse {
  return NextResponse.json(body, {
    status,
    headers: { "cache-control": "no-store", [REQUEST_ID_HEADER]: requestIdFrom(request.headers) },
  });
}
