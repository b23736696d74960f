"use client";

import type { ReactNode } from "react";
import { errorMessageOf } from "../../../lib/api-error";
import { Button } from "../../ui/button";
import { SkeletonRows } from "../../ui/skeleton";
import { ErrorState } from "../../ui/states";

interface QueryLike<T> {
  data: T | undefined;
  error: unknown;
  isPending: boolean;
  refetch: () => unknown;
}

/** Loading skeleton, the API's error with a retry, or the content. */
export function Loaded<T>({
  query,
  label,
  children,
}: {
  query: QueryLike<T>;
  label: string;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <SkeletonRows rows={4} label={`Loading ${label}`} />;
  if (query.error || query.data === undefined)
    return (
      <ErrorState
        title={`The ${label} could not be loaded`}
        message={errorMessageOf(query.error)}
        action={
          <Button variant="secondary" size="sm" onClick={() => void query.refetch()}>
            Try again
          </Button>
        }
      />
    );
  return <>{children(query.data)}</>;
}

export function SectionTitle({ children, aside }: { children: ReactNode; aside?: ReactNode }) {
  return (
    <div className="flex items-baseline justify-between gap-3">
      <h2 className="text-base font-semibold tracking-tight">{children}</h2>
      {aside ? <span className="text-sm text-muted-foreground">{aside}</span> : null}
    </div>
  );
}

export function EvidenceLink({ count, onClick }: { count: number; onClick: () => void }) {
  if (count === 0) return null;
  return (
    <button
      type="button"
      onClick={onClick}
      className="text-xs font-medium whitespace-nowrap text-primary hover:underline"
    >
      {count} evidence {count === 1 ? "item" : "items"} →
    </button>
  );
}

/** A horizontal bar for plain-CSS charts; width is the share of the largest value. */
export function Bar({ value, max, tone = "bg-primary" }: { value: number; max: number; tone?: string }) {
  const width = max > 0 ? Math.max(2, Math.round((value / max) * 100)) : 0;
  return (
    <div className="h-2 w-full overflow-hidden rounded-full bg-muted" aria-hidden>
      <div className={`h-full rounded-full ${tone}`} style={{ width: `${width}%` }} />
    </div>
  );
}
