"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { httpBatchLink, httpSubscriptionLink, retryLink, splitLink, TRPCClientError } from "@trpc/client";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { trpc } from "../lib/trpc";

/**
 * TanStack Query + tRPC for client components. Requests go to /api/trpc with
 * the session cookies; the active tenant is sent explicitly so a page always
 * talks about the tenant it shows.
 */
/** Reconnects of one progress stream after an ended access token (one per ~15 min of watching). */
const RESUBSCRIBE_ATTEMPTS = 8;

export function Providers({ tenantId, children }: { tenantId: string | null; children: ReactNode }) {
  // Read at request time, so switching tenants (a server re-render with a new prop) needs no new client.
  const activeTenant = useRef(tenantId);
  useEffect(() => {
    activeTenant.current = tenantId;
  }, [tenantId]);
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 30_000, retry: 1 } } }),
  );
  const [trpcClient] = useState(() =>
    trpc.createClient({
      links: [
        splitLink({
          condition: (op) => op.type === "subscription",
          // Server-sent events: EventSource sends the session cookies (the route adds the active tenant)
          // and reconnects by itself, passing the last tracked event id so the stream resumes where it stopped.
          true: [
            // The API ends a stream whose access token expired (or whose session was revoked) with
            // UNAUTHORIZED. Reconnecting through /api/trpc renews the token from the session cookie and
            // resumes after the last event; a revoked session is refused again and the error shows.
            retryLink({
              retry: ({ error, attempts }) =>
                attempts <= RESUBSCRIBE_ATTEMPTS &&
                error instanceof TRPCClientError &&
                error.data?.code === "UNAUTHORIZED",
              retryDelayMs: () => 1000,
            }),
            httpSubscriptionLink({ url: "/api/trpc" }),
          ],
          false: httpBatchLink({
            url: "/api/trpc",
            headers: () => (activeTenant.current ? { "x-tenant-id": activeTenant.current } : {}),
          }),
        }),
      ],
    }),
  );
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </trpc.Provider>
  );
}
