export * from "./adf";
export * from "./connection-check";
export * from "./errors";
export * from "./github";
export * from "./http";
export * from "./jira";
export * from "./servicenow";
export * from "./slack";
