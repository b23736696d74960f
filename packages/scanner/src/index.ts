export * from "./evidence";
export * from "./types";
export * from "./result";
export * from "./security";
export * from "./vulns";
export * from "./thirdparty";
