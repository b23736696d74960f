"use client";

import Link from "next/link";
import { useState } from "react";
import type { RouterOutputs } from "@techscaniq/api/client";
import { errorMessageOf } from "../../lib/api-error";
import { formatDateTime } from "../../lib/format";
import { trpc } from "../../lib/trpc";
import { Button } from "../ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../ui/card";
import { EmptyState, ErrorState } from "../ui/states";

type Watchlist = RouterOutputs["watchlist"]["get"];
type Change = RouterOutputs["watchlist"]["timeline"]["items"][number];

/** One change in words, from the diff's details (scanned content is shown as text, never as markup). */
function describeChange(change: Change): string {
  const d = change.details as Record<string, string | number | null | undefined>;
  switch (change.kind) {
    case "version_changed":
      return `${d.name} ${d.from ?? "?"} → ${d.to ?? "?"}`;
    case "technology_added":
      return `${d.name}${d.version ? ` ${d.version}` : ""} appeared`;
    case "technology_removed":
      return `${d.name}${d.version ? ` ${d.version}` : ""} is gone`;
    case "vulnerability_new":
      return `${d.library} ${d.version}: new ${d.severity} vulnerability`;
    case "grade_dropped":
      return `security headers grade ${d.before ?? "?"} → ${d.after ?? "?"}`;
  }
}

/** A watchlist's URLs and, per URL, the changes between its scans, newest first, with both scans. */
export function WatchlistTimeline({ watchlist }: { watchlist: Watchlist }) {
  const [urlId, setUrlId] = useState<string | undefined>(undefined);
  const [pages, setPages] = useState<string[]>([]);
  const page = trpc.watchlist.timeline.useQuery({
    watchlistId: watchlist.id,
    urlId,
    cursor: pages.at(-1),
  });
  const select = (next: string | undefined) => {
    setUrlId(next);
    setPages([]);
  };
  return (
    <div className="grid items-start gap-6 lg:grid-cols-[18rem_minmax(0,1fr)]">
      <Card>
        <CardHeader>
          <CardTitle className="text-base">URLs</CardTitle>
          <CardDescription>
            {watchlist.cron} ({watchlist.timezone}) · next{" "}
            {watchlist.nextRunAt ? formatDateTime(watchlist.nextRunAt) : "— paused"}
          </CardDescription>
        </CardHeader>
        <CardContent>
          <ul className="flex flex-col gap-1 text-sm" aria-label="Watched URLs">
            <li>
              <button
                type="button"
                className={urlId === undefined ? "font-semibold" : "text-primary hover:underline"}
                onClick={() => select(undefined)}
              >
                All URLs
              </button>
            </li>
            {watchlist.urls.map((entry) => (
              <li key={entry.id} className="flex flex-col" data-testid="watchlist-url">
                <button
                  type="button"
                  className={
                    urlId === entry.id ? "text-left font-semibold" : "text-left text-primary hover:underline"
                  }
                  onClick={() => select(entry.id)}
                >
                  {entry.url}
                </button>
                <span className="text-xs text-muted-foreground">
                  {entry.pendingScanId ? "re-scanning · " : ""}
                  {entry.lastScanId ? (
                    <Link href={`/scans/${entry.lastScanId}`}>last scan</Link>
                  ) : (
                    "not scanned yet"
                  )}
                </span>
              </li>
            ))}
          </ul>
        </CardContent>
      </Card>
      <section aria-labelledby="timeline-heading" className="flex min-w-0 flex-col gap-3">
        <h2 id="timeline-heading" className="text-lg font-semibold tracking-tight">
          Timeline
        </h2>
        {page.error ? <ErrorState message={errorMessageOf(page.error)} /> : null}
        {page.data && page.data.items.length === 0 ? (
          <EmptyState title="No changes yet">
            Each re-scan is compared with the previous scan of the same URL.
          </EmptyState>
        ) : null}
        {page.data && page.data.items.length > 0 ? (
          <Card>
            <ol className="divide-y divide-border text-sm" data-testid="watchlist-timeline">
              {page.data.items.map((change) => (
                <li key={change.id} className="flex flex-col gap-1 px-4 py-3">
                  <span className="font-medium">{describeChange(change)}</span>
                  <span className="text-xs text-muted-foreground">
                    {formatDateTime(change.createdAt)} · {change.url} ·{" "}
                    {change.previousScanId ? (
                      <Link className="text-primary hover:underline" href={`/scans/${change.previousScanId}`}>
                        previous scan
                      </Link>
                    ) : (
                      "previous scan deleted"
                    )}{" "}
                    →{" "}
                    <Link className="text-primary hover:underline" href={`/scans/${change.scanId}`}>
                      new scan
                    </Link>
                  </span>
                </li>
              ))}
            </ol>
          </Card>
        ) : null}
        <div className="flex gap-2">
          {pages.length > 0 ? (
            <Button variant="secondary" size="sm" onClick={() => setPages(pages.slice(0, -1))}>
              Newer
            </Button>
          ) : null}
          {page.data?.nextCursor ? (
            <Button variant="secondary" size="sm" onClick={() => setPages([...pages, page.data.nextCursor!])}>
              Older
            </Button>
          ) : null}
        </div>
      </section>
    </div>
  );
}
