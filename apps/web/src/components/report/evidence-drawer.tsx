"use client";

import { useEffect, useId, useRef } from "react";
import { Highlighted } from "../scan/highlight";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import type { OpenCitation } from "./citations";
import { factTerms } from "./highlight-terms";

/** Only web addresses become links: a scanned `javascript:` or `data:` URL stays text. */
const isWebUrl = (url: string) => /^https?:\/\//i.test(url);

/**
 * The cited evidence item beside the report (a bottom sheet on a phone):
 * kind, source, locator, the snippet with the citing sentence's facts
 * marked, and the content hash to re-check it by. Escape or the backdrop closes it.
 */
export function EvidenceDrawer({ citation, onClose }: { citation: OpenCitation; onClose: () => void }) {
  const { item, number, citedBy } = citation;
  const titleId = useId();
  const dialogRef = useRef<HTMLDivElement>(null);
  // The latest onClose without re-running the effect (and re-focusing) on every parent render.
  const onCloseRef = useRef(onClose);
  useEffect(() => {
    onCloseRef.current = onClose;
  });

  useEffect(() => {
    dialogRef.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onCloseRef.current();
    };
    document.addEventListener("keydown", onKey);
    const overflow = document.body.style.overflow;
    document.body.style.overflow = "hidden";
    return () => {
      document.removeEventListener("keydown", onKey);
      document.body.style.overflow = overflow;
    };
  }, [item.id]);

  return (
    <div className="fixed inset-0 z-50">
      <button
        type="button"
        aria-label="Close evidence"
        tabIndex={-1}
        className="absolute inset-0 bg-foreground/30"
        onClick={onClose}
      />
      <div
        ref={dialogRef}
        tabIndex={-1}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid="evidence-drawer"
        className="absolute inset-x-0 bottom-0 flex max-h-[85dvh] flex-col rounded-t-(--radius-card) border border-border bg-surface shadow-xl sm:inset-y-0 sm:right-0 sm:left-auto sm:max-h-none sm:w-[30rem] sm:rounded-none sm:border-y-0 sm:border-r-0"
      >
        <div className="flex items-start justify-between gap-3 border-b border-border px-5 py-4">
          <div className="flex min-w-0 flex-col gap-1">
            <h2 id={titleId} className="text-base font-semibold tracking-tight">
              Evidence [{number}]
            </h2>
            {citedBy ? (
              <p className="line-clamp-3 text-sm text-muted-foreground" data-testid="evidence-cited-by">
                Cited for: {citedBy}
              </p>
            ) : null}
          </div>
          <Button variant="ghost" size="sm" onClick={onClose}>
            Close
          </Button>
        </div>
        <dl className="flex flex-col gap-4 overflow-y-auto px-5 py-4 text-sm">
          <div className="flex flex-col gap-1">
            <dt className="text-xs font-medium text-muted-foreground">Kind</dt>
            <dd>
              <Badge tone="info" data-testid="evidence-kind">
                {item.kind}
              </Badge>
            </dd>
          </div>
          <div className="flex flex-col gap-1">
            <dt className="text-xs font-medium text-muted-foreground">Source</dt>
            <dd className="font-mono text-xs break-all" data-testid="evidence-source">
              {isWebUrl(item.url) ? (
                <a
                  href={item.url}
                  target="_blank"
                  rel="noopener noreferrer"
                  className="text-primary hover:underline"
                >
                  {item.url}
                </a>
              ) : (
                item.url
              )}
            </dd>
          </div>
          <div className="flex flex-col gap-1">
            <dt className="text-xs font-medium text-muted-foreground">Locator</dt>
            <dd className="font-mono text-xs break-all" data-testid="evidence-locator">
              {item.locator}
            </dd>
          </div>
          <div className="flex flex-col gap-1">
            <dt className="text-xs font-medium text-muted-foreground">Snippet</dt>
            <dd>
              <pre
                className="max-h-80 overflow-auto rounded-md bg-muted px-3 py-2 font-mono text-xs leading-relaxed break-all whitespace-pre-wrap"
                data-testid="evidence-snippet"
              >
                <Highlighted text={item.snippet} terms={[...factTerms(citedBy ?? ""), item.locator]} />
              </pre>
            </dd>
          </div>
          <div className="flex flex-col gap-1">
            <dt className="text-xs font-medium text-muted-foreground">Content hash</dt>
            <dd className="font-mono text-xs break-all text-muted-foreground" data-testid="evidence-hash">
              {item.contentHash}
            </dd>
          </div>
        </dl>
      </div>
    </div>
  );
}
