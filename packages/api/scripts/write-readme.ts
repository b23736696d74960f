// Rewrites the procedure table of packages/api/README.md from the router (then format it with prettier).
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  PROCEDURES_END,
  PROCEDURES_START,
  procedureRows,
  renderProcedureTable,
} from "../src/procedure-table";
import { appRouter } from "../src/router";

const readmePath = fileURLToPath(new URL("../README.md", import.meta.url));
const readme = readFileSync(readmePath, "utf8");
const start = readme.indexOf(PROCEDURES_START);
const end = readme.indexOf(PROCEDURES_END);
if (start < 0 || end < start)
  throw new Error(`README.md has no ${PROCEDURES_START} … ${PROCEDURES_END} block`);
const table = renderProcedureTable(procedureRows(appRouter));
writeFileSync(
  readmePath,
  `${readme.slice(0, start + PROCEDURES_START.length)}\n\n${table}\n\n${readme.slice(end)}`,
);
console.log(`wrote ${procedureRows(appRouter).length} procedures into README.md`);
