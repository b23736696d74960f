import type { ReactNode } from "react";
import { cn } from "../../lib/cn";

/** What a section shows when there is nothing in it yet, and what to do about it. */
export function EmptyState({
  title,
  children,
  action,
  className,
}: {
  title: string;
  children?: ReactNode;
  action?: ReactNode;
  className?: string;
}) {
  return (
    <div
      className={cn(
        "flex flex-col items-center gap-2 rounded-(--radius-card) border border-dashed border-border px-6 py-10 text-center",
        className,
      )}
    >
      <p className="font-medium">{title}</p>
      {children ? <div className="max-w-md text-sm text-muted-foreground">{children}</div> : null}
      {action ? <div className="mt-2">{action}</div> : null}
    </div>
  );
}

/** An API failure with the API's own message (it names what is wrong), and an optional retry. */
export function ErrorState({
  title = "This could not be loaded",
  message,
  action,
}: {
  title?: string;
  message: string;
  action?: ReactNode;
}) {
  return (
    <div
      role="alert"
      className="flex flex-col gap-2 rounded-(--radius-card) border border-destructive/30 bg-destructive-soft px-5 py-4 text-sm"
    >
      <p className="font-medium text-destructive">{title}</p>
      <p className="text-foreground">{message}</p>
      {action ? <div className="mt-1">{action}</div> : null}
    </div>
  );
}
