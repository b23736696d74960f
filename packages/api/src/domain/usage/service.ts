import { sql, type Database, type Transaction } from "@techscaniq/db";
import type { z } from "zod";
import type { usageSummarySchema } from "./usage.schemas";

export type UsageSummary = z.infer<typeof usageSummarySchema>;

interface FigureRow {
  calls: string;
  input_tokens: string;
  output_tokens: string;
  cost_usd: string;
  failures: string;
}
const toFigures = (row: FigureRow | undefined) => ({
  calls: Number(row?.calls ?? 0),
  inputTokens: Number(row?.input_tokens ?? 0),
  outputTokens: Number(row?.output_tokens ?? 0),
  costUsd: Number(row?.cost_usd ?? 0),
  failures: Number(row?.failures ?? 0),
});
const FIGURES = sql`count(*) as calls, coalesce(sum(input_tokens), 0) as input_tokens, coalesce(sum(output_tokens), 0) as output_tokens,
  coalesce(sum(cost_usd), 0) as cost_usd, count(*) filter (where outcome <> 'ok') as failures`;

/**
 * AI calls and scans of the active tenant in [from, to), read as the caller
 * (RLS decides what is visible; the tenant filter lets the indexes work).
 */
export async function usageSummary(
  tx: Transaction<Database>,
  tenantId: string,
  range: { from: Date; to: Date },
): Promise<UsageSummary> {
  const inRange = sql`tenant_id = ${tenantId}::uuid and created_at >= ${range.from} and created_at < ${range.to}`;
  const [groups, days, scans] = await Promise.all([
    sql<FigureRow & { provider: string | null; model: string | null; task: string | null; level: number }>`
      select provider, model, task, grouping(provider, model, task) as level, ${FIGURES}
        from public.ai_usage where ${inRange}
       group by grouping sets ((provider, model, task), (provider, model), (task), ())
       order by cost_usd desc, calls desc, provider, model, task`.execute(tx),
    sql<FigureRow & { day: string }>`
      select to_char(d.day, 'YYYY-MM-DD') as day, count(u.id) as calls, coalesce(sum(u.input_tokens), 0) as input_tokens,
             coalesce(sum(u.output_tokens), 0) as output_tokens, coalesce(sum(u.cost_usd), 0) as cost_usd,
             count(u.id) filter (where u.outcome <> 'ok') as failures
        from generate_series(date_trunc('day', ${range.from}::timestamptz at time zone 'UTC'),
                             (${range.to}::timestamptz - interval '1 microsecond') at time zone 'UTC', interval '1 day') as d(day)
        left join public.ai_usage u
          on u.tenant_id = ${tenantId}::uuid and u.created_at >= ${range.from} and u.created_at < ${range.to}
         and date_trunc('day', u.created_at at time zone 'UTC') = d.day
       group by d.day order by d.day`.execute(tx),
    sql<{ status: string; count: string }>`
      select status::text as status, count(*) as count from public.scans where ${inRange} group by status order by status`.execute(
      tx,
    ),
  ]);
  // grouping() bits, high to low: provider, model, task (1 = rolled up).
  const at = (level: number) => groups.rows.filter((row) => Number(row.level) === level);
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    totals: toFigures(at(0b111)[0]),
    breakdown: at(0b000).map((row) => ({
      provider: row.provider!,
      model: row.model!,
      task: row.task!,
      ...toFigures(row),
    })),
    byModel: at(0b001).map((row) => ({ provider: row.provider!, model: row.model!, ...toFigures(row) })),
    byTask: at(0b110).map((row) => ({ task: row.task!, ...toFigures(row) })),
    days: days.rows.map((row) => ({ day: row.day, ...toFigures(row) })),
    scansByStatus: scans.rows.map((row) => ({ status: row.status, count: Number(row.count) })),
  };
}
