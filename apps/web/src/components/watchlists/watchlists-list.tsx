"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { errorMessageOf } from "../../lib/api-error";
import { formatDateTime } from "../../lib/format";
import { trpc } from "../../lib/trpc";
import { Button } from "../ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../ui/card";
import { FormAlert } from "../ui/field-error";
import { Input } from "../ui/input";
import { Label } from "../ui/label";
import { SkeletonRows } from "../ui/skeleton";
import { EmptyState, ErrorState } from "../ui/states";
import { Textarea } from "../ui/textarea";

/** The tenant's watchlists (cadence, URLs, next re-scan), and a form for a new one. */
export function WatchlistsList({ canWrite }: { canWrite: boolean }) {
  const watchlists = trpc.watchlist.list.useQuery();
  return (
    <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <section aria-labelledby="watchlists-heading" className="flex min-w-0 flex-col gap-3">
        <h2 id="watchlists-heading" className="text-lg font-semibold tracking-tight">
          Watchlists
        </h2>
        {watchlists.error ? <ErrorState message={errorMessageOf(watchlists.error)} /> : null}
        {watchlists.isPending ? <SkeletonRows label="Loading watchlists" /> : null}
        {watchlists.data && watchlists.data.length === 0 ? (
          <EmptyState title="No watchlists yet">
            List the sites to re-scan on a cadence; changes between scans show up in the timeline.
          </EmptyState>
        ) : null}
        {watchlists.data && watchlists.data.length > 0 ? (
          <Card>
            <table className="w-full text-sm" data-testid="watchlists-table">
              <thead className="text-left text-muted-foreground">
                <tr>
                  <th className="px-4 py-2 font-medium">Name</th>
                  <th className="px-4 py-2 font-medium">Cadence</th>
                  <th className="px-4 py-2 font-medium">URLs</th>
                  <th className="px-4 py-2 font-medium">Next re-scan</th>
                </tr>
              </thead>
              <tbody>
                {watchlists.data.map((watchlist) => (
                  <tr key={watchlist.id} className="border-t border-border" data-testid="watchlist-row">
                    <td className="px-4 py-2">
                      <Link
                        href={`/watchlists/${watchlist.id}`}
                        className="font-medium text-primary hover:underline"
                      >
                        {watchlist.name}
                      </Link>
                    </td>
                    <td className="px-4 py-2 font-mono text-xs">
                      {watchlist.cron} <span className="text-muted-foreground">{watchlist.timezone}</span>
                    </td>
                    <td className="px-4 py-2 tabular-nums">{watchlist.urlCount}</td>
                    <td className="px-4 py-2 text-muted-foreground">
                      {watchlist.nextRunAt ? formatDateTime(watchlist.nextRunAt) : "paused"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        ) : null}
      </section>
      {canWrite ? <NewWatchlistCard /> : null}
    </div>
  );
}

function NewWatchlistCard() {
  const router = useRouter();
  const [name, setName] = useState("");
  const [cron, setCron] = useState("0 6 * * *");
  const [timezone, setTimezone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [urls, setUrls] = useState("");
  const create = trpc.watchlist.create.useMutation({
    onSuccess: (watchlist) => router.push(`/watchlists/${watchlist.id}`),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({
      name,
      cron,
      timezone,
      urls: urls
        .split(/\s+/)
        .map((url) => url.trim())
        .filter(Boolean),
    });
  };
  return (
    <Card className="order-first lg:order-last">
      <CardHeader>
        <CardTitle className="text-lg">New watchlist</CardTitle>
        <CardDescription>
          Re-scanned on the cadence; new or removed technologies, version changes, new vulnerabilities (medium
          and up) and security grade drops are recorded.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form className="flex flex-col gap-4" onSubmit={submit}>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="watchlist-name">Name</Label>
            <Input id="watchlist-name" value={name} onChange={(event) => setName(event.target.value)} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="watchlist-cron">Cadence (cron)</Label>
            <Input id="watchlist-cron" value={cron} onChange={(event) => setCron(event.target.value)} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="watchlist-zone">Time zone</Label>
            <Input
              id="watchlist-zone"
              value={timezone}
              onChange={(event) => setTimezone(event.target.value)}
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor="watchlist-urls">URLs (one per line)</Label>
            <Textarea id="watchlist-urls" value={urls} onChange={(event) => setUrls(event.target.value)} />
          </div>
          <FormAlert message={create.error ? errorMessageOf(create.error) : null} />
          <Button type="submit" pending={create.isPending}>
            Create watchlist
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
