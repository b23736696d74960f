export * from "./facts";
export * from "./verify";
export { technologyNameFinder } from "./technology-names";
