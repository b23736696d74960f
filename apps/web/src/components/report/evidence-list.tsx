"use client";

import { Badge } from "../ui/badge";
import { useCitations } from "./citations";
import type { ReportEvidence } from "./types";

/** Every cited evidence item, numbered as in the text and the exports; each opens in the drawer. */
export function EvidenceList({ evidence }: { evidence: readonly ReportEvidence[] }) {
  const { open } = useCitations();
  return (
    <details
      className="group rounded-(--radius-card) border border-border bg-surface"
      data-testid="evidence-list"
    >
      <summary className="cursor-pointer list-none px-5 py-3 text-sm font-medium select-none">
        <span className="mr-2 inline-block transition-transform group-open:rotate-90" aria-hidden>
          ›
        </span>
        All cited evidence ({evidence.length})
      </summary>
      <ol className="divide-y divide-border border-t border-border">
        {evidence.map((item, index) => (
          <li key={item.id}>
            <button
              type="button"
              aria-haspopup="dialog"
              onClick={(event) => open(item.id, null, event.currentTarget)}
              className="flex w-full min-w-0 items-center gap-3 px-5 py-2 text-left text-sm hover:bg-muted"
            >
              <span className="w-8 shrink-0 font-mono text-xs text-primary tabular-nums">[{index + 1}]</span>
              <Badge tone="info">{item.kind}</Badge>
              <span
                className="min-w-0 flex-1 truncate font-mono text-xs text-muted-foreground"
                title={item.url}
              >
                {item.locator} · {item.url}
              </span>
            </button>
          </li>
        ))}
      </ol>
    </details>
  );
}
