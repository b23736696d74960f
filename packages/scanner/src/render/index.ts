export * from "./party";
export * from "./renderer";
