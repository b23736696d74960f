export { findVulnerableLibraries, detectInContent, detectInUrl, type LibraryDetection } from "./retire";
export { compareVersions as compareRetireVersions, inRange as inRetireRange } from "./version";
export {
  loadRetireRepository,
  parseRetireRepository,
  RETIRE_CACHE_FILE,
  type RetireRepository,
} from "./repository";
