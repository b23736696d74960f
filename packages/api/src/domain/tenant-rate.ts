import { sql, type Database, type Transaction } from "@techscaniq/db";
import { DomainError } from "../errors";

/**
 * Refuses an action when the tenant already did it `limit` times in the last
 * hour, counting the rows the action leaves behind. A transaction-scoped
 * advisory lock per tenant and action makes concurrent requests count one
 * after the other, so a burst cannot all pass the same count.
 */
export async function enforceHourlyTenantLimit(
  tx: Transaction<Database>,
  options: { tenantId: string; action: string; limit: number; countSince: (since: Date) => Promise<number> },
): Promise<void> {
  const lockKey = `rate:${options.action}:${options.tenantId}`;
  await sql`select pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`.execute(tx);
  const { rows } = await sql<{ since: Date }>`select now() - interval '1 hour' as since`.execute(tx);
  const done = await options.countSince(rows[0]!.since);
  if (done >= options.limit)
    throw new DomainError(
      "RATE_LIMITED",
      `This tenant may ${options.action} at most ${options.limit} times per hour; try again later`,
    );
}
