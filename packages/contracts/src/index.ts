/** What several packages must agree on; zod schemas and pure functions only (no I/O, no other package of ours). */
export * from "./address";
export * from "./agents/index";
export * from "./ai";
export * from "./env";
export * from "./integrations/index";
export * from "./report/index";
export * from "./scan/index";
export * from "./schedules/index";
export * from "./tasks";
export * from "./watchlists";
