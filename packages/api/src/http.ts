import type { Db } from "@techscaniq/db";
import type { AnyTRPCRouter } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createApiServices, createContext, requestIdFrom, type ApiServices } from "./context";
import { toDomainError } from "./errors";
import { appRouter } from "./router";
import type { Context } from "./trpc";

export type ApiRequestHandler = (req: Request) => Promise<Response>;

/**
 * The tRPC fetch handler: one context per HTTP request, `x-request-id` on
 * every response, one pino line per request, internal errors logged with
 * their cause (callers only see the request id).
 */
export function createApiHandler(options: {
  services: ApiServices;
  endpoint: string;
  router?: AnyTRPCRouter;
}): ApiRequestHandler {
  const { services, endpoint } = options;
  return async (req) => {
    const started = performance.now();
    const requestId = requestIdFrom(req.headers);
    let context: Context | undefined;
    const response = await fetchRequestHandler({
      endpoint,
      req,
      router: options.router ?? appRouter,
      createContext: async () => (context = await createContext({ req, services, requestId })),
      onError({ error, path, ctx }) {
        const logger = (ctx as Context | undefined)?.logger ?? services.logger.child({ requestId });
        if (toDomainError(error))
          logger.info({ path, code: error.code, msg: error.message }, "request refused");
        else logger.error({ path, err: error.cause ?? error }, "internal error");
      },
    });
    response.headers.set("x-request-id", requestId);
    (context?.logger ?? services.logger.child({ requestId })).info(
      {
        method: req.method,
        path: new URL(req.url).pathname.slice(endpoint.length + 1),
        status: response.status,
        tenantId: context?.tenantHeader ?? undefined,
        durationMs: Math.round(performance.now() - started),
      },
      "request",
    );
    return response;
  };
}

const defaultHandlers = new WeakMap<Db, Promise<ApiRequestHandler>>();

/** For apps/web's `/api/trpc` route: auth settings from the environment, built once per database. */
export function handleTrpcRequest(req: Request, options: { db: Db; endpoint: string }): Promise<Response> {
  let handler = defaultHandlers.get(options.db);
  if (!handler) {
    handler = createApiServices({ db: options.db }).then(
      (services) => createApiHandler({ services, endpoint: options.endpoint }),
      (error: unknown) => {
        defaultHandlers.delete(options.db); // a fixed environment is picked up by the next request
        throw error;
      },
    );
    defaultHandlers.set(options.db, handler);
  }
  return handler.then((handle) => handle(req));
}
