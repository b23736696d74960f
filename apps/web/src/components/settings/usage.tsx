"use client";

import { trpc } from "../../lib/trpc";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../ui/card";
import { Skeleton } from "../ui/skeleton";

const PAGE = 100;

/** Scans so far, by outcome (AI token and cost metering has no API yet). */
export function Usage() {
  const scans = trpc.scan.list.useQuery({ limit: PAGE });
  const items = scans.data?.items ?? [];
  const more = Boolean(scans.data?.nextCursor);
  const count = (status: string) => items.filter((scan) => scan.status === status).length;
  const figures = [
    ["Scans", `${items.length}${more ? "+" : ""}`],
    ["Completed", String(count("succeeded"))],
    ["Failed", String(count("failed"))],
    ["Cancelled", String(count("cancelled"))],
  ] as const;
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-lg">Usage</CardTitle>
        <CardDescription>
          {more ? `Counted over the latest ${PAGE} scans.` : "Every scan in this workspace so far."}
        </CardDescription>
      </CardHeader>
      <CardContent>
        <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
          {figures.map(([label, value]) => (
            <div key={label} className="flex flex-col gap-1 rounded-(--radius-control) bg-muted px-4 py-3">
              <dt className="text-xs text-muted-foreground">{label}</dt>
              <dd className="text-xl font-semibold tabular-nums">
                {scans.isPending ? <Skeleton className="h-7 w-10" /> : value}
              </dd>
            </div>
          ))}
        </dl>
      </CardContent>
    </Card>
  );
}
