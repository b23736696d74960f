"use client";

import { formatBytes, formatDuration, pathOf } from "../../../lib/format";
import { trpc } from "../../../lib/trpc";
import { Badge } from "../../ui/badge";
import { Card } from "../../ui/card";
import { EmptyState } from "../../ui/states";
import type { TabProps } from "../scan-tabs";
import { Loaded } from "./common";

export const screenshotUrl = (scanId: string, pageId: string) =>
  `/api/scans/${scanId}/pages/${pageId}/screenshot`;

export function PagesTab({ scanId }: TabProps) {
  const pages = trpc.scan.pages.useQuery({ scanId });
  return (
    <Loaded query={pages} label="pages">
      {(items) =>
        items.length === 0 ? (
          <EmptyState title="No pages crawled yet" />
        ) : (
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {items.map((page) => (
              <Card key={page.id} className="flex flex-col overflow-hidden" data-testid="crawled-page">
                {page.hasScreenshot ? (
                  <a
                    href={screenshotUrl(scanId, page.id)}
                    target="_blank"
                    rel="noopener"
                    className="block border-b border-border bg-muted"
                  >
                    {/* A tenant-checked route serves the PNG; next/image would re-fetch it without the session. */}
                    <img
                      src={screenshotUrl(scanId, page.id)}
                      alt={`Screenshot of ${pathOf(page.url)}`}
                      loading="lazy"
                      className="aspect-[16/10] w-full object-cover object-top"
                    />
                  </a>
                ) : (
                  <div className="grid aspect-[16/10] place-items-center border-b border-border bg-muted text-xs text-muted-foreground">
                    {page.rendered ? "No screenshot" : "Fetched, not rendered"}
                  </div>
                )}
                <div className="flex flex-col gap-1.5 p-4">
                  <span className="truncate font-mono text-xs" title={page.url}>
                    {pathOf(page.url)}
                  </span>
                  <div className="flex flex-wrap items-center gap-2 text-xs text-muted-foreground">
                    {page.httpStatus ? (
                      <Badge tone={page.httpStatus < 400 ? "success" : "danger"}>{page.httpStatus}</Badge>
                    ) : null}
                    <span>{formatBytes(page.bytes)}</span>
                    {page.durationMs !== null ? <span>· {formatDuration(page.durationMs)}</span> : null}
                    {page.rendered ? <span>· rendered</span> : null}
                  </div>
                  {page.error ? <p className="text-xs text-destructive">{page.error}</p> : null}
                </div>
              </Card>
            ))}
          </div>
        )
      }
    </Loaded>
  );
}
