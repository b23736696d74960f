export * from "./resolver";
export * from "./budget";
export * from "./charset";
export * from "./errors";
export * from "./fetcher";
export * from "./domain";
export * from "./fetch-function";
