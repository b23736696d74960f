import type { AppRouter } from "@techscaniq/api/client";
import { createTRPCReact } from "@trpc/react-query";

/** React hooks for every procedure, typed from the API's router. */
export const trpc = createTRPCReact<AppRouter>();
