export * from "./catalog";
export * from "./events";
export * from "./registry";
export * from "./tasks";
