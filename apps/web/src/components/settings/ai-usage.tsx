"use client";

import { errorMessageOf } from "../../lib/api-error";
import { trpc } from "../../lib/trpc";
import type { RouterOutputs } from "@techscaniq/api/client";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../ui/card";
import { SkeletonRows } from "../ui/skeleton";
import { EmptyState, ErrorState } from "../ui/states";

type Summary = RouterOutputs["usage"]["summary"];
type Figures = Summary["totals"];

const numberFormat = new Intl.NumberFormat("en-US");
const formatTokens = (tokens: number) => numberFormat.format(tokens);
const formatUsd = (usd: number) => (usd > 0 && usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`);
const TASK_LABELS: Record<string, string> = {
  writeSection: "Writing sections",
  verifyClaim: "Verifying claims",
  rewriteClaim: "Rewriting claims",
  summarise: "Summary",
  scoreThesis: "Thesis scoring",
  runAgent: "Agent runs",
  analyzeDiagram: "Diagram analysis",
};

function FiguresTable({ caption, rows }: { caption: string; rows: { label: string; figures: Figures }[] }) {
  return (
    <div className="overflow-x-auto rounded-(--radius-control) border border-border">
      <table className="w-full text-sm">
        <caption className="px-4 pt-3 text-left text-sm font-semibold">{caption}</caption>
        <thead className="text-xs text-muted-foreground">
          <tr>
            <th scope="col" className="px-4 py-2 text-left font-medium">
              Name
            </th>
            <th scope="col" className="px-4 py-2 text-right font-medium">
              Calls
            </th>
            <th scope="col" className="px-4 py-2 text-right font-medium">
              Tokens in / out
            </th>
            <th scope="col" className="px-4 py-2 text-right font-medium">
              Cost
            </th>
            <th scope="col" className="px-4 py-2 text-right font-medium">
              Failures
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-border">
          {rows.map(({ label, figures }) => (
            <tr key={label}>
              <th scope="row" className="px-4 py-2 text-left font-medium break-all">
                {label}
              </th>
              <td className="px-4 py-2 text-right tabular-nums">{numberFormat.format(figures.calls)}</td>
              <td className="px-4 py-2 text-right tabular-nums">
                {formatTokens(figures.inputTokens)} / {formatTokens(figures.outputTokens)}
              </td>
              <td className="px-4 py-2 text-right tabular-nums">{formatUsd(figures.costUsd)}</td>
              <td className="px-4 py-2 text-right tabular-nums">{numberFormat.format(figures.failures)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Tokens per day as CSS bars; each bar is labelled for screen readers and on hover. */
function DailyChart({ days }: { days: Summary["days"] }) {
  const tokens = days.map((day) => day.inputTokens + day.outputTokens);
  const peak = Math.max(1, ...tokens);
  return (
    <figure className="flex flex-col gap-2">
      <figcaption className="text-sm font-semibold">Tokens per day</figcaption>
      <ol
        className="flex h-28 items-end gap-px rounded-(--radius-control) bg-muted p-2"
        aria-label="Tokens per day"
      >
        {days.map((day, index) => {
          const label = `${day.day}: ${formatTokens(tokens[index]!)} tokens, ${day.calls} calls, ${formatUsd(day.costUsd)}`;
          return (
            <li
              key={day.day}
              className="flex h-full min-w-0 flex-1 items-end"
              title={label}
              aria-label={label}
            >
              <span
                className="block w-full rounded-t-sm bg-primary"
                style={{
                  height: `${tokens[index]! === 0 ? 0 : Math.max(4, (tokens[index]! / peak) * 100)}%`,
                }}
              />
            </li>
          );
        })}
      </ol>
      <div className="flex justify-between text-xs text-muted-foreground">
        <span>{days[0]?.day}</span>
        <span>{days.at(-1)?.day}</span>
      </div>
    </figure>
  );
}

export function AiUsage() {
  const summary = trpc.usage.summary.useQuery();
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-lg">AI usage</CardTitle>
        <CardDescription>
          Model calls made for this workspace&apos;s reports in the last 30 days, with estimated cost.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {summary.isPending ? (
          <SkeletonRows rows={3} label="Loading AI usage" />
        ) : summary.isError ? (
          <ErrorState message={errorMessageOf(summary.error)} />
        ) : (
          <>
            <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="ai-usage-totals">
              {(
                [
                  ["Calls", numberFormat.format(summary.data.totals.calls)],
                  [
                    "Tokens",
                    formatTokens(summary.data.totals.inputTokens + summary.data.totals.outputTokens),
                  ],
                  ["Estimated cost", formatUsd(summary.data.totals.costUsd)],
                  ["Failed calls", numberFormat.format(summary.data.totals.failures)],
                ] as const
              ).map(([label, value]) => (
                <div
                  key={label}
                  className="flex flex-col gap-1 rounded-(--radius-control) bg-muted px-4 py-3"
                >
                  <dt className="text-xs text-muted-foreground">{label}</dt>
                  <dd className="text-xl font-semibold tabular-nums">{value}</dd>
                </div>
              ))}
            </dl>
            {summary.data.totals.calls === 0 ? (
              <EmptyState title="No AI calls yet" className="py-6">
                Reports written since the start of this period will show here.
              </EmptyState>
            ) : (
              <>
                <DailyChart days={summary.data.days} />
                <div className="grid gap-4 lg:grid-cols-2">
                  <FiguresTable
                    caption="By model"
                    rows={summary.data.byModel.map(({ provider, model, ...figures }) => ({
                      label: `${provider} · ${model}`,
                      figures,
                    }))}
                  />
                  <FiguresTable
                    caption="By task"
                    rows={summary.data.byTask.map(({ task, ...figures }) => ({
                      label: TASK_LABELS[task] ?? task,
                      figures,
                    }))}
                  />
                </div>
              </>
            )}
          </>
        )}
      </CardContent>
    </Card>
  );
}
