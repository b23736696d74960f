import {
  CONNECTION_TESTED_EVENT,
  type ConnectionTestResult,
  type IntegrationTestConnectionPayload,
} from "@techscaniq/contracts/integrations";
import { emitEvent, withServiceTx } from "@techscaniq/db";
import type { z } from "zod";
import type { DeliverySettings } from "./deliver";
import { openConnection, providerOf } from "./deliver";

/**
 * integration.test_connection: the provider's real authenticated read, recorded on the connection
 * (status, last check) and answered with integration.connection_tested (subject: the request id),
 * which the API waits for. Never echoes a secret: the result carries the provider's reason only.
 */
export async function testConnection(
  settings: DeliverySettings,
  { connectionId, requestId }: z.output<typeof IntegrationTestConnectionPayload>,
  signal: AbortSignal,
): Promise<ConnectionTestResult | null> {
  const begin = performance.now();
  let result: ConnectionTestResult;
  const connection = await openConnection(settings, connectionId);
  if (!connection) return null;
  try {
    const outcome = await providerOf(settings.registry, connection.provider).testConnection(
      {
        fetch: settings.fetch,
        signal,
        idempotencyKey: `test:${requestId}`,
        attempt: 1,
        earlierAttemptUncertain: false,
      },
      connection,
    );
    const ok = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
    result = { ok, latencyMs: Math.round(performance.now() - begin), error: ok ? null : outcome.summary };
  } catch (error) {
    if (signal.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    result = { ok: false, latencyMs: Math.round(performance.now() - begin), error: message };
  }
  await withServiceTx(settings.db, async (tx) => {
    await tx
      .updateTable("integration_connections")
      .set({
        status: result.ok ? "ok" : "failing",
        last_checked_at: new Date(),
        last_check_ok: result.ok,
        last_check_latency_ms: result.latencyMs,
        last_error: result.error?.slice(0, 2000) ?? null,
      })
      .where("id", "=", connection.id)
      .execute();
    await emitEvent(tx, {
      type: CONNECTION_TESTED_EVENT,
      tenantId: connection.tenantId,
      userId: null,
      subject: requestId,
      data: { connectionId: connection.id, ...result },
    });
  });
  return result;
}
