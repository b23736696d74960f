export * from "./diagram";
export * from "./graph";
export * from "./providers";
export * from "./route";
