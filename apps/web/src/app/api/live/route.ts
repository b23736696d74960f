import { jsonResponse } from "../../../server/respond";

export const dynamic = "force-dynamic";

/** The process is up and answering; says nothing about dependencies. */
export function GET(request: Request) {
  return jsonResponse(request, { status: "ok" });
}
