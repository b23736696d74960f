import { Badge } from "../ui/badge";
import type { EvidenceItem } from "./findings-summary";
import { Highlighted } from "./highlight";

/** One evidence item: what, where (source URL and locator), and the exact snippet with the matched part marked. */
export function EvidenceCard({ item, terms }: { item: EvidenceItem; terms: readonly string[] }) {
  return (
    <article
      className="flex flex-col gap-2 rounded-(--radius-control) border border-border bg-surface p-4"
      data-testid="evidence-item"
    >
      <div className="flex flex-wrap items-center gap-2 text-xs">
        <Badge tone="info">{item.kind}</Badge>
        <span className="text-muted-foreground">{item.collector}</span>
        <span className="font-mono text-muted-foreground">{item.locator}</span>
        <span className="ml-auto text-muted-foreground tabular-nums">confidence {item.confidence}%</span>
      </div>
      <pre
        className="max-h-48 overflow-auto rounded-md bg-muted px-3 py-2 font-mono text-xs leading-relaxed break-all whitespace-pre-wrap"
        data-testid="evidence-snippet"
      >
        <Highlighted text={item.snippet} terms={[...terms, item.locator]} />
      </pre>
      <p
        className="truncate font-mono text-xs text-muted-foreground"
        title={item.url}
        data-testid="evidence-source"
      >
        {item.url}
      </p>
    </article>
  );
}
