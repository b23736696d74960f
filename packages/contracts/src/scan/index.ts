/** A scan as it is stored: the scanner's result shape and the finding rows it is read back from. */
export * from "./result";
export * from "./stored";
export * from "./stages";
export * from "./findings";
export * from "./details";
export * from "./retry";
export * from "./status";
