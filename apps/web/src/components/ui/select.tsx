import type { SelectHTMLAttributes } from "react";
import { cn } from "../../lib/cn";

export function Select({ className, ...props }: SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <select
      className={cn(
        "h-10 rounded-(--radius-control) border border-border bg-surface pr-8 pl-3 text-sm shadow-xs focus-visible:border-ring disabled:opacity-60",
        className,
      )}
      {...props}
    />
  );
}
