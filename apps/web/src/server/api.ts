import { handleTrpcRequest, type AppRouter } from "@techscaniq/api";
import { PEER_ADDRESS_HEADER } from "@techscaniq/api/client-address";
import { createTRPCClient, httpLink, TRPCClientError, type TRPCClient } from "@trpc/client";
import { sharedDb } from "./db";
import { baseLogger, REQUEST_ID_HEADER } from "./logger";

export const TRPC_ENDPOINT = "/api/trpc";
/** Never dialled: requests to it are handed to the API in this process. */
const IN_PROCESS_ORIGIN = "http://in-process.invalid";

/** The one place the web app gives a request to the API (the /api/trpc route and server-side calls). */
export function forwardToApi(request: Request): Promise<Response> {
  return handleTrpcRequest(request, { db: sharedDb(), endpoint: TRPC_ENDPOINT });
}

export interface ServerApiOptions {
  accessToken?: string | null;
  tenantId?: string | null;
  /** The browser's request, for its request id, user agent and client address. */
  incoming?: Headers;
}

const PASSED_THROUGH = [REQUEST_ID_HEADER, "user-agent", "x-forwarded-for", PEER_ADDRESS_HEADER] as const;

/**
 * A typed tRPC client whose requests never leave the process: server
 * components and the auth route handlers call procedures exactly as the
 * browser does, through the same handler, context and error mapping.
 */
export function serverApi({ accessToken, tenantId, incoming }: ServerApiOptions = {}): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${IN_PROCESS_ORIGIN}${TRPC_ENDPOINT}`,
        headers() {
          const headers: Record<string, string> = {};
          for (const name of PASSED_THROUGH) {
            const value = incoming?.get(name);
            if (value) headers[name] = value;
          }
          if (accessToken) headers.authorization = `Bearer ${accessToken}`;
          if (tenantId) headers["x-tenant-id"] = tenantId;
          return headers;
        },
        fetch: (input, init) =>
          forwardToApi(new Request(input instanceof URL ? input.href : input, init as RequestInit)),
      }),
    ],
  });
}

export interface ApiFailure {
  status: number;
  body: { error: { code: string; message: string; fieldErrors?: Record<string, string[]> } };
}

const errorDataOf = (error: TRPCClientError<AppRouter>) =>
  error.data as
    { code?: string; httpStatus?: number; fieldErrors?: Record<string, string[]> | null } | undefined;

/** The API's refusal as HTTP status and JSON body for the browser; anything else is rethrown. */
export function toApiFailure(error: unknown): ApiFailure {
  if (!(error instanceof TRPCClientError)) throw error;
  const data = errorDataOf(error as TRPCClientError<AppRouter>);
  if (!data?.httpStatus) {
    // The API did not answer (misconfiguration, outage): log the cause, never show it.
    baseLogger().error({ err: error }, "API call failed without an API response");
    return {
      status: 500,
      body: {
        error: {
          code: "INTERNAL_SERVER_ERROR",
          message: "Something went wrong on our side. Please try again.",
        },
      },
    };
  }
  return {
    status: data?.httpStatus ?? 500,
    body: {
      error: {
        code: data?.code ?? "INTERNAL_SERVER_ERROR",
        message: error.message,
        ...(data?.fieldErrors ? { fieldErrors: data.fieldErrors } : {}),
      },
    },
  };
}

export function isUnauthorized(error: unknown): boolean {
  return (
    error instanceof TRPCClientError &&
    errorDataOf(error as TRPCClientError<AppRouter>)?.code === "UNAUTHORIZED"
  );
}

/**
 * True when the API refused because the object is not there *for this caller*:
 * missing, another tenant's (RLS hides it), or a malformed id. Pages answer all
 * of them with the same 404 so nothing tells one case from another.
 */
export function isNotVisible(error: unknown): boolean {
  if (!(error instanceof TRPCClientError)) return false;
  const code = errorDataOf(error as TRPCClientError<AppRouter>)?.code;
  return code === "NOT_FOUND" || code === "BAD_REQUEST" || code === "FORBIDDEN";
}
