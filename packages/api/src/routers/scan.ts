import { mergeRouters } from "../trpc";
import { scanLifecycleRouter } from "./scan-lifecycle";
import { scanProgressRouter } from "./scan-progress";
import { scanResultsRouter } from "./scan-results";

/** `scan.*`: one namespace for clients, three routers by concern. */
export const scanRouter = mergeRouters(scanLifecycleRouter, scanResultsRouter, scanProgressRouter);
