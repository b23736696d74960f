export * from "./renderer";
export { browserSandbox, type BrowserSandbox, type BrowserUser } from "./sandbox";
