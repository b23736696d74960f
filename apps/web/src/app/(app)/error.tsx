"use client";

import { Button } from "../../components/ui/button";
import { ErrorState } from "../../components/ui/states";

/** Server-side failures reach the browser without their message in production; the digest lets support find the log line. */
export default function AppError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <div className="mx-auto max-w-lg py-10">
      <ErrorState
        title="Something went wrong"
        message={
          error.digest
            ? `The page could not be shown (reference ${error.digest}). Please try again.`
            : error.message
        }
        action={
          <Button variant="secondary" size="sm" onClick={reset}>
            Try again
          </Button>
        }
      />
    </div>
  );
}
