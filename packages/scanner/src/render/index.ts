export * from "./renderer";
