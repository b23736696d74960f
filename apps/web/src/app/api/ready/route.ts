import { sharedDb } from "../../../server/db";
import { checkReadiness } from "../../../server/health";
import { jsonResponse } from "../../../server/respond";

export const dynamic = "force-dynamic";

/** Can take user traffic: database reachable with this build's migrations applied. */
export async function GET(request: Request) {
  const report = await checkReadiness(sharedDb());
  return jsonResponse(request, report, report.status === "ok" ? 200 : 503);
}
