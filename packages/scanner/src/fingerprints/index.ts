export { analyzePage, analyzeSite, type PatternMatch } from "./analyze";
export {
  compileRuleSet,
  getFingerprintDatabase,
  type CompiledPattern,
  type CompiledTechnology,
  type FingerprintDatabase,
  type InvalidPattern,
  type SourceKind,
} from "./compile";
export { detectTechnologies, fingerprintDomProperties, fingerprintJsGlobals, resolveMatches } from "./detect";
export { PROJECT_RULES_DIR, loadRuleSet, type RuleSet, type TechnologyRule } from "./rules";
export { bestVersion, isPlausibleVersion, type VersionCandidate } from "./versions";
export { snapshotFromHtml, type PlainPage } from "./snapshot";
