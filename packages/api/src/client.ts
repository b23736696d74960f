import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from "@trpc/client";
import { EventSource } from "eventsource";
import type { AppRouter } from "./router";

export type { AppRouter, RouterInputs, RouterOutputs } from "./router";

export interface TechScanClientOptions {
  /** The tRPC endpoint, e.g. `http://localhost:3000/api/trpc`. */
  url: string;
  /** `tsk_…`: acts on the key's tenant with its scopes. */
  apiKey?: string;
  /** A user's access token; a function is asked before every request (so refreshed tokens are used). */
  accessToken?: string | (() => string | null | undefined);
  /** Active tenant for tenant-scoped procedures (`x-tenant-id`); a function is asked before every request. */
  tenantId?: string | (() => string | null | undefined);
  /** Extra headers, e.g. `x-request-id`. */
  headers?: Record<string, string>;
}

const valueOf = (value: string | (() => string | null | undefined) | undefined) =>
  typeof value === "function" ? value() : value;

/** The typed client the web app and the CLI use. Dates arrive as ISO strings. */
export function createTechScanClient(options: TechScanClientOptions): TRPCClient<AppRouter> {
  if (options.apiKey && options.accessToken)
    throw new Error("createTechScanClient: pass apiKey or accessToken, not both");
  const headers = () => {
    const result: Record<string, string> = { ...options.headers };
    const token = options.apiKey ?? valueOf(options.accessToken);
    if (token) result.authorization = `Bearer ${token}`;
    const tenantId = valueOf(options.tenantId);
    if (tenantId) result["x-tenant-id"] = tenantId;
    return result;
  };
  return createTRPCClient<AppRouter>({
    links: [
      // Subscriptions (scan progress) stream over SSE; the ponyfill EventSource can send auth headers.
      splitLink({
        condition: (operation) => operation.type === "subscription",
        true: httpSubscriptionLink({
          url: options.url,
          EventSource,
          eventSourceOptions: () => ({
            fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...headers() } }),
          }),
        }),
        false: httpBatchLink({ url: options.url, headers }),
      }),
    ],
  });
}
