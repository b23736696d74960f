"use client";

import { createContext, useContext, useMemo, useState, type ReactNode } from "react";
import { cn } from "../../lib/cn";
import { EvidenceDrawer } from "./evidence-drawer";
import type { ReportEvidence } from "./types";

/** What a citation marker was clicked for: the evidence item and the text that cites it (for highlighting). */
export interface OpenCitation {
  item: ReportEvidence;
  number: number;
  /** The sentence (or table row, or score adjustment) citing it; null when opened from the evidence list. */
  citedBy: string | null;
  trigger: HTMLElement | null;
}

interface Citations {
  numberOf: (evidenceId: string) => number | undefined;
  open: (evidenceId: string, citedBy: string | null, trigger: HTMLElement | null) => void;
}

const CitationsContext = createContext<Citations | null>(null);

/**
 * Numbers every cited evidence item the way the exports do (its place in the
 * document's evidence list, from 1) and owns the drawer that shows one.
 */
export function CitationsProvider({
  evidence,
  children,
}: {
  evidence: readonly ReportEvidence[];
  children: ReactNode;
}) {
  const [opened, setOpened] = useState<OpenCitation | null>(null);
  const value = useMemo<Citations>(() => {
    const byId = new Map(evidence.map((item, index) => [item.id, { item, number: index + 1 }]));
    return {
      numberOf: (id) => byId.get(id)?.number,
      open: (id, citedBy, trigger) => {
        const found = byId.get(id);
        if (found) setOpened({ ...found, citedBy, trigger });
      },
    };
  }, [evidence]);
  return (
    <CitationsContext.Provider value={value}>
      {children}
      {opened ? (
        <EvidenceDrawer
          citation={opened}
          onClose={() => {
            opened.trigger?.focus();
            setOpened(null);
          }}
        />
      ) : null}
    </CitationsContext.Provider>
  );
}

export function useCitations(): Citations {
  const citations = useContext(CitationsContext);
  if (!citations) throw new Error("citation markers must be inside a CitationsProvider");
  return citations;
}

/** Markers shown before the rest fold into "+N": a claim may cite up to 20 items, which would swamp the sentence. */
const SHOWN_MARKERS = 3;

/** The [1][2] markers after a claim, a table row or a score adjustment; each opens its evidence. */
export function CitationMarkers({
  evidenceIds,
  citedBy,
  wrap = true,
}: {
  evidenceIds: readonly string[];
  citedBy: string;
  wrap?: boolean;
}) {
  const { numberOf, open } = useCitations();
  const [expanded, setExpanded] = useState(false);
  const numbered = evidenceIds
    .map((id) => ({ id, number: numberOf(id) }))
    .filter((entry): entry is { id: string; number: number } => entry.number !== undefined);
  if (numbered.length === 0) return null;
  const folded = !expanded && numbered.length > SHOWN_MARKERS + 1;
  const shown = folded ? numbered.slice(0, SHOWN_MARKERS) : numbered;
  return (
    <span className={cn("ml-0.5 inline-flex gap-0.5 align-baseline", wrap ? "flex-wrap" : "flex-nowrap")}>
      {shown.map(({ id, number }) => (
        <button
          key={id}
          type="button"
          data-testid="citation"
          aria-label={`Evidence ${number}`}
          aria-haspopup="dialog"
          onClick={(event) => open(id, citedBy, event.currentTarget)}
          className="rounded px-0.5 font-mono text-xs font-medium text-primary tabular-nums hover:bg-info-soft hover:underline"
        >
          [{number}]
        </button>
      ))}
      {folded ? (
        <button
          type="button"
          aria-label={`Show ${numbered.length - SHOWN_MARKERS} more citations`}
          onClick={() => setExpanded(true)}
          className="rounded px-1 font-mono text-xs font-medium text-muted-foreground tabular-nums hover:bg-muted hover:text-foreground"
        >
          +{numbered.length - SHOWN_MARKERS}
        </button>
      ) : null}
    </span>
  );
}
