export * from "./router";
export {
  classifyFailure,
  type ChatTurn,
  type ModelAnswer,
  type ModelClient,
  type ModelRequest,
  type ProviderFetch,
} from "./providers";
