import { webEnvFromProcess } from "../../../env";
import { sharedDb } from "../../../server/db";
import { checkHealth } from "../../../server/health";
import { jsonResponse } from "../../../server/respond";

export const dynamic = "force-dynamic";

/** Every dependency: database, migrations current, a worker with a fresh heartbeat. 200 or 503 with details. */
export async function GET(request: Request) {
  const report = await checkHealth(sharedDb(), {
    workerMaxAgeSeconds: webEnvFromProcess().WORKER_HEARTBEAT_MAX_AGE_SECONDS,
  });
  return jsonResponse(request, report, report.status === "ok" ? 200 : 503);
}
