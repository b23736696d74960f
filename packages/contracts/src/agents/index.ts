export * from "./capability-model";
export * from "./design";
export * from "./prompt";
export * from "./spec";
export * from "./templates";
export * from "./tools";
export * from "./triggers";
