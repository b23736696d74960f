export * from "./evidence";
export * from "./types";
export * from "./result";
