export * from "./router";
export { classifyFailure, type ChatTurn, type ModelAnswer, type ModelClient, type ModelRequest } from "./providers";
